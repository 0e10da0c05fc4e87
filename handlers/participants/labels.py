"""The fixed choices of sign-up (categories, interests, times of day) and their translated titles."""

from __future__ import annotations

from handlers.i18n import N_, _
from handlers.understanding.choices import Option

# code -> (title, typed synonyms). Codes are stored; titles are translated when shown.
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "former_inmate": (
        N_("Former inmate"),
        (
            "mantan narapidana",
            "mantan napi",
            "eks napi",
            "eks narapidana",
            "eks warga binaan",
            "warga binaan",
            "eks wbp",
            "wbp",
            "napi",
            "pernah dipenjara",
            "pernah di penjara",
            "penjara",
            "bebas",
            "mantan",
        ),
    ),
    "bapas_client": (
        N_("Probation client"),
        (
            "klien bapas",
            "bapas",
            "wajib lapor",
            "pembebasan bersyarat",
            "bebas bersyarat",
            "pb",
            "cuti bersyarat",
            "klien",
            "probation",
        ),
    ),
    "youth": (N_("Young person"), ("remaja", "pemuda", "anak muda", "pelajar", "youth")),
    "family": (
        N_("Participant's family"),
        ("keluarga", "keluarga peserta", "orang tua", "ortu", "istri", "suami", "family"),
    ),
    "other": (N_("Other"), ("lainnya", "lain", "lain lain", "other")),
}
# People whose category itself is a secret worth keeping off a lock screen: discreet mode starts
# on for them (they may turn it off).
DISCREET_BY_DEFAULT = frozenset({"former_inmate", "bapas_client"})

INTERESTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "job_training": (
        N_("Job training"),
        (
            "pelatihan kerja", "pelatihan", "latihan kerja", "kerja", "kerjaan", "pekerjaan",
            "cari kerja", "lowongan", "loker", "kursus", "keterampilan", "ketrampilan", "keahlian",
            "skill", "vokasi", "blk", "magang", "training", "job", "work",
        ),
    ),
    "counselling": (
        N_("Counselling"),
        (
            "konseling", "konsling", "konsultasi", "konsul", "curhat", "teman curhat", "cerita",
            "psikolog", "psikologi", "konselor", "bimbingan", "kesehatan mental", "mental",
            "kejiwaan", "stres", "depresi", "counseling",
        ),
    ),
    "legal": (
        N_("Legal advice"),
        (
            "penyuluhan hukum", "hukum", "bantuan hukum", "konsultasi hukum", "masalah hukum",
            "pengacara", "advokat", "lbh", "posbakum", "perkara", "legal", "lawyer",
        ),
    ),
    "business": (
        N_("Business/UMKM"),
        (
            "usaha", "umkm", "ukm", "dagang", "berdagang", "jualan", "berjualan", "wirausaha",
            "modal", "modal usaha", "modal kerja", "buka usaha", "bisnis", "warung", "business",
        ),
    ),
    "schooling": (
        N_("Paket A/B/C school"),
        (
            "paket", "kejar paket", "paket a", "paket b", "paket c", "sekolah", "sekolah lagi",
            "lanjut sekolah", "pendidikan", "kesetaraan", "ijazah", "pkbm", "sd", "smp", "sma",
            "smk", "belajar", "school",
        ),
    ),
    "other": (N_("Something else"), ("lainnya", "lain", "lain lain", "yang lain", "other")),
}  # fmt: skip

CONTACT_TIMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "morning": (N_("Morning (06-10)"), ("pagi", "morning")),
    "midday": (N_("Midday (10-14)"), ("siang", "midday", "noon")),
    "afternoon": (N_("Afternoon (14-18)"), ("sore", "afternoon", "petang")),
    "evening": (N_("Evening (18-21)"), ("malam", "malem", "evening", "night")),
}
# The local hours each contact time stands for, for messages that may choose their hour (not
# reminders, which follow the session). They end where the quiet hours (21.00-06.00) begin.
CONTACT_HOURS: dict[str, tuple[int, int]] = {
    "morning": (6, 10),
    "midday": (10, 14),
    "afternoon": (14, 18),
    "evening": (18, 21),
}


def options(table: dict[str, tuple[str, tuple[str, ...]]], prefix: str) -> list[Option]:
    return [Option(f"{prefix}:{code}", _(title), words) for code, (title, words) in table.items()]


def title(table: dict[str, tuple[str, tuple[str, ...]]], code: str | None) -> str:
    if code is None or code not in table:
        return "-"
    return _(table[code][0])
