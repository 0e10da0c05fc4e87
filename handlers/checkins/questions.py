"""The check-in's questions: their options, the words people type for each, and their emoji.

Codes are stored (storage/models/checkins.py); titles are translated when shown, at most 20
characters in every language (a WhatsApp button or list row).
"""

from __future__ import annotations

from handlers.i18n import N_, _
from handlers.understanding.choices import NO_WORDS, YES_WORDS, Option

# Each table: code -> (title, typed synonyms, emoji).
Table = dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]

MOODS: Table = {
    "1": (
        N_("😞 Very bad"),
        ("sangat buruk", "buruk sekali", "buruk banget", "parah", "hancur", "sedih banget",
         "sangat sedih", "down banget", "terrible", "very bad", "awful"),
        ("😞", "😢", "😭", "💔", "😩", "😫"),
    ),
    "2": (
        N_("🙁 Not good"),
        ("kurang baik", "kurang", "buruk", "jelek", "sedih", "kurang sehat", "capek", "down",
         "not good", "bad"),
        ("🙁", "😕", "😟", "😔", "☹"),
    ),
    "3": (
        N_("😐 So-so"),
        ("biasa", "biasa saja", "biasa aja", "lumayan", "gitu gitu aja", "so so", "so-so",
         "okay", "sedang"),
        ("😐", "😶", "🤷"),
    ),
    "4": (
        N_("🙂 Good"),
        ("baik", "baik baik saja", "baik baik aja", "sehat", "alhamdulillah baik", "good",
         "fine", "oke", "ok", "aman"),
        ("🙂", "😊", "☺"),
    ),
    "5": (
        N_("😄 Very good"),
        ("sangat baik", "baik sekali", "baik banget", "luar biasa", "mantap", "senang",
         "bahagia", "sangat senang", "great", "very good", "excellent"),
        ("😄", "😁", "😃", "🥰", "🤩", "😍"),
    ),
}  # fmt: skip

ACTIVITIES: Table = {
    "work": (
        N_("Working"),
        ("bekerja", "kerja", "sudah kerja", "karyawan", "buruh", "kuli", "ojek", "ojol", "narik",
         "working", "job"),
        (),
    ),
    "business": (
        N_("Own business"),
        ("usaha", "usaha sendiri", "buka usaha", "jualan", "dagang", "berdagang", "wiraswasta",
         "warung", "bisnis", "business"),
        (),
    ),
    "training": (
        N_("In training"),
        ("pelatihan", "ikut pelatihan", "kursus", "latihan", "blk", "magang", "training"),
        (),
    ),
    "school": (
        N_("School/Paket A-B-C"),
        ("sekolah", "paket a", "paket b", "paket c", "kejar paket", "kuliah", "pkbm", "school"),
        (),
    ),
    "looking": (
        N_("Looking for work"),
        ("mencari kerja", "cari kerja", "cari kerjaan", "nyari kerja", "nyari kerjaan",
         "lamar kerja", "melamar kerja", "melamar", "looking for work", "job hunting"),
        (),
    ),
    "none": (
        N_("Nothing yet"),
        ("belum ada", "belum ada kegiatan", "tidak ada", "gak ada", "ga ada", "nggak ada",
         "nganggur", "menganggur", "pengangguran", "belum kerja", "tidak kerja", "gak kerja",
         "nggak kerja", "di rumah saja", "di rumah aja", "nothing"),
        (),
    ),
}  # fmt: skip

HOUSING: Table = {
    "yes": (
        N_("Yes, I do"),
        (*YES_WORDS, "ada", "punya", "aman", "sudah ada", "ada rumah", "punya rumah"),
        (),
    ),
    "no": (
        N_("No, I don't"),
        (*NO_WORDS, "tidak ada", "gak ada", "ga ada", "nggak ada", "belum ada", "tidak aman",
         "gak aman", "tidak punya rumah", "gak punya rumah", "tidak ada tempat tinggal",
         "gak ada tempat tinggal", "ga ada tempat tinggal", "nggak ada tempat tinggal",
         "tidur di jalan", "diusir", "homeless"),
        (),
    ),
    "unsure": (
        N_("Not sure"),
        ("tidak pasti", "gak pasti", "ga pasti", "belum pasti", "kurang pasti", "tidak tahu",
         "gak tau", "ga tau", "nggak tau", "entah", "ragu", "mungkin", "numpang", "sementara",
         "not sure", "unsure", "maybe"),
        (),
    ),
}  # fmt: skip

NEEDS: Table = {
    "work": (N_("Work"), ("pekerjaan", "kerja", "kerjaan", "lowongan", "loker", "job"), ()),
    "capital": (N_("Business capital"), ("modal", "modal usaha", "capital"), ()),
    "documents": (
        N_("KTP/KK/BPJS papers"),
        ("dokumen", "ktp", "kk", "kartu keluarga", "bpjs", "akta", "surat", "documents"),
        (),
    ),
    "health": (
        N_("Health or rehab"),
        ("kesehatan", "rehabilitasi", "rehab", "berobat", "dokter", "obat", "health"),
        (),
    ),
    "legal": (N_("Legal aid"), ("bantuan hukum", "hukum", "pengacara", "lbh", "legal"), ()),
    "family": (N_("Family"), ("keluarga", "anak", "istri", "suami", "orang tua", "family"), ()),
    "housing": (
        N_("A place to live"),
        ("tempat tinggal", "rumah", "kos", "kontrakan", "housing"),
        (),
    ),
    "none": (
        N_("No help needed"),
        ("tidak perlu", "gak perlu", "ga perlu", "nggak perlu", "tidak usah", "gak usah",
         "ga usah", "tidak ada", "gak ada", "tidak", "gak", "nggak", "tdk", "no", "nothing"),
        (),
    ),
}  # fmt: skip

CONTACT: Table = {
    "yes": (
        N_("Yes, contact me"),
        (*YES_WORDS, "hubungi", "hubungi saya", "telepon", "telpon", "tolong hubungi",
         "call me"),
        (),
    ),
    "no": (
        N_("No, thanks"),
        (*NO_WORDS, "tidak usah", "gak usah", "ga usah", "nggak usah", "nanti saja",
         "tidak perlu", "gak perlu", "no thanks"),
        (),
    ),
}  # fmt: skip


def options(table: Table, prefix: str) -> list[Option]:
    return [
        Option(f"{prefix}:{code}", _(title), words, emoji)
        for code, (title, words, emoji) in table.items()
    ]


def title(table: Table, code: str | None) -> str:
    if code is None or code not in table:
        return "-"
    return _(table[code][0])
