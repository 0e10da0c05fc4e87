"""The exported files as a spreadsheet program opens them: read back with openpyxl and csv and
checked cell by cell (header, frozen top row, widths, dates as dates in the organisation's zone,
formula-like text neutralised, an erased participant without personal fields)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from tests.helpers.exports import (
    FORMULA_NAME,
    FORMULA_REASON,
    export_as,
    read_csv,
    read_xlsx,
    world,
    xlsx_rows,
)

PARTICIPANT_HEADER = [
    "ID", "Nama", "Status", "Nomor HP", "Kota", "Provinsi", "Kategori", "Minat",
    "Waktu dihubungi", "Bahasa", "Lembaga", "Pendamping", "Tanggal bebas", "Terdaftar (WIB)",
    "Chat", "Terakhir menulis (WIB)",
]  # fmt: skip
RUTAN = "Rutan Kelas IIA Pekalongan"
BLK = "BLK Pekalongan, Jl. Sriwijaya 44"
LAST_WEEK_9 = datetime(2026, 11, 25, 9, 0)  # WIB, as the spreadsheet shows it


async def test_participants_xlsx_is_a_real_spreadsheet(db: Database) -> None:
    w = await world(db, "telegram")
    sheet = read_xlsx(await export_as(db, w.admin_a, "participants", "xlsx"))

    assert sheet.title == "Peserta"
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True] * len(PARTICIPANT_HEADER)
    assert sheet.column_dimensions["B"].width >= 20  # a name fits
    assert sheet.column_dimensions["N"].width >= len("Terdaftar (WIB)")
    rows = xlsx_rows(sheet)
    assert rows[0] == PARTICIPANT_HEADER
    budi, formula, erased = rows[1:]  # by id; B's Dewi is not A's to export
    assert budi == [
        w.budi, "Budi Santoso", "aktif", "+6281234567890", "Kota Pekalongan", "Jawa Tengah",
        "Mantan narapidana", None, None, "id", RUTAN, "Ibu Rina", datetime(2026, 10, 30),
        datetime(2026, 11, 2, 8, 30), "Telegram", datetime(2026, 11, 30, 19, 15),
    ]  # fmt: skip
    release, signed_up = sheet.cell(2, 13), sheet.cell(2, 14)
    assert release.is_date and release.number_format == "yyyy-mm-dd"
    assert signed_up.is_date and signed_up.number_format == "yyyy-mm-dd hh:mm"
    phone = sheet.cell(2, 4)
    assert phone.data_type == "s"  # text: the "+" stays, no number in scientific notation

    assert formula[1] == "'" + FORMULA_NAME  # shown as text, never run
    assert formula[4] == "'@SUM(A1:A9)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    assert erased[0] == w.erased
    assert erased[2] == "dihapus"
    personal = {1, 3, 4, 7, 8, 12, 14, 15}  # name, phone, city, interests, contact time, ...
    assert [erased[i] for i in sorted(personal)] == [None] * len(personal)
    assert erased[5] == "Jawa Tengah" and erased[10] == RUTAN  # anonymous fields stay
    assert "Agus" not in str(rows)


async def test_participants_csv_has_a_byte_order_mark_and_the_same_cells(db: Database) -> None:
    w = await world(db, "whatsapp")
    content = await export_as(db, w.caseworker_a, "participants", "csv")
    rows = read_csv(content)  # checks the byte order mark

    assert list(rows[0]) == PARTICIPANT_HEADER
    assert [r["ID"] for r in rows] == [str(w.budi), str(w.formula), str(w.erased)]
    budi, formula, erased = rows
    assert budi["Nama"] == "Budi Santoso" and budi["Nomor HP"] == "+6281234567890"
    assert budi["Tanggal bebas"] == "2026-10-30"
    assert budi["Terdaftar (WIB)"] == "2026-11-02 08:30"
    assert budi["Terakhir menulis (WIB)"] == "2026-11-30 19:15"
    assert formula["Nama"] == "'" + FORMULA_NAME
    assert formula["Kota"] == "'@SUM(A1:A9)"
    assert erased["Status"] == "dihapus"
    assert (erased["Nama"], erased["Nomor HP"], erased["Kota"], erased["Tanggal bebas"]) == (
        "", "", "", "",
    )  # fmt: skip
    assert erased["Provinsi"] == "Jawa Tengah"


async def test_attendance_xlsx_lists_meetings_that_began_by_time(db: Database) -> None:
    w = await world(db, "telegram")
    sheet = read_xlsx(await export_as(db, w.admin_a, "attendance", "xlsx"))

    assert sheet.title == "Kehadiran" and sheet.freeze_panes == "A2"
    rows = xlsx_rows(sheet)
    assert rows[0] == [
        "ID peserta", "Nama", "Program/pertemuan", "Sesi", "Mulai (WIB)", "Tempat", "Kehadiran",
        "Dicatat (WIB)",
    ]  # fmt: skip
    marked = datetime(2026, 11, 25, 13, 0)
    assert rows[1:] == [
        [w.budi, "Budi Santoso", "Kelas Komputer", None, LAST_WEEK_9, BLK, "Tidak hadir", None],
        [w.budi, "Budi Santoso", "Pelatihan Las", "Las Dasar", LAST_WEEK_9, BLK, "Hadir", marked],
        [
            w.formula,
            "'" + FORMULA_NAME,
            "Pelatihan Las",
            "Las Dasar",
            LAST_WEEK_9,
            BLK,
            "Tidak hadir",
            marked,
        ],
        [w.erased, None, "Pelatihan Las", "Las Dasar", LAST_WEEK_9, BLK, "Hadir", marked],
        [w.budi, "Budi Santoso", "Pelatihan Menjahit", None, LAST_WEEK_9, BLK, "Hadir", None],
        [
            w.budi,
            "Budi Santoso",
            "Konseling",
            None,
            datetime(2026, 11, 26, 9, 0),
            "Ruang konseling Rutan",
            "Hadir",
            marked,
        ],
    ]  # next week's session has not begun: not in an attendance export
    assert sheet.cell(2, 5).is_date and sheet.cell(2, 5).number_format == "yyyy-mm-dd hh:mm"


async def test_rsvp_answers_csv_keeps_reasons_as_text_and_erased_reasons_empty(
    db: Database,
) -> None:
    w = await world(db, "telegram")
    rows = read_csv(await export_as(db, w.admin_a, "rsvps", "csv"))

    assert list(rows[0]) == [
        "ID peserta", "Nama", "Program/pertemuan", "Sesi", "Mulai (WIB)", "Tempat", "Jawaban",
        "Dijawab (WIB)", "Alasan", "Hari yang bisa", "Ditangani (WIB)",
    ]  # fmt: skip
    by_who = [(r["ID peserta"], r["Program/pertemuan"], r["Jawaban"]) for r in rows]
    assert by_who == [
        (str(w.budi), "Kelas Komputer", "Hadir"),
        (str(w.budi), "Pelatihan Las", "Hadir"),
        (str(w.formula), "Pelatihan Las", "Minta jadwal ulang"),
        (str(w.erased), "Pelatihan Las", "Minta jadwal ulang"),
        (str(w.budi), "Pelatihan Menjahit", "Hadir"),
        (str(w.budi), "Pelatihan Las", "Tidak bisa"),  # next week's, answered this morning
    ]
    formula = rows[2]
    assert formula["Alasan"] == "'" + FORMULA_REASON
    assert formula["Hari yang bisa"] == "Senin, Rabu"
    assert formula["Dijawab (WIB)"] == "2026-11-24 10:05"
    assert formula["Mulai (WIB)"] == "2026-11-25 09:00"
    erased = rows[3]
    assert (erased["Nama"], erased["Alasan"], erased["Hari yang bisa"]) == ("", "", "")
    assert rows[5]["Mulai (WIB)"] == "2026-12-08 09:00"
