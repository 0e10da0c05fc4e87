"""Reading session CSV files and the values staff type: pure, no database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest

from handlers.i18n import use_language
from handlers.programs.admin import program_kind
from handlers.programs.csv_import import decode, parse_sessions_csv, session_key
from handlers.programs.values import (
    InputError,
    ProgramRef,
    parse_clock,
    parse_date,
    parse_local,
    parse_offsets,
    parse_timezone,
    resolve_city,
)

NOW = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
PROGRAMS = [
    ProgramRef(1, "Pelatihan Las"),
    ProgramRef(2, "Konseling Ambon"),
    ProgramRef(3, "Penyuluhan Hukum"),
    ProgramRef(4, "Penyuluhan Hukum"),  # the same name at another organisation
]
HEADER = "program,title,date,start,end,timezone,place,capacity,city,open,offsets\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These checks read the reasons as the command line prints them: in English (staff who
    import in chat read them in their own language, tests/importing)."""
    with use_language("en"):
        yield


def parse(text: str, existing: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    return parse_sessions_csv(text, programs=PROGRAMS, existing=existing or {}, now=NOW)


def test_good_rows_in_wib_and_wit_become_the_right_utc_times() -> None:
    parsed = parse(
        HEADER
        + "Pelatihan Las,Las dasar,2026-12-01,09:00,12:00,WIB,Aula Rutan,20,kota pekalongan,ya,"
        + '"1440,120"\n'
        + "2,,2026-12-03,10.00,11.30,Asia/Jayapura,Kantor Bapas Ambon,,kota ambon,tidak,\n"
    )
    assert parsed.errors == []
    pekalongan, ambon = parsed.rows
    assert (pekalongan.line, pekalongan.program_id, pekalongan.title) == (2, 1, "Las dasar")
    assert pekalongan.starts_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09.00 WIB
    assert pekalongan.ends_at == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert (pekalongan.timezone, pekalongan.capacity, pekalongan.city_key) == (
        "Asia/Jakarta",
        20,
        "kota-pekalongan",
    )
    assert (pekalongan.open, pekalongan.offsets) == (True, [1440, 120])
    assert ambon.starts_at == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10.00 WIT
    assert ambon.ends_at == datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    assert (ambon.line, ambon.program_id, ambon.title, ambon.capacity) == (3, 2, None, None)
    assert (ambon.timezone, ambon.city_key, ambon.open, ambon.offsets) == (
        "Asia/Jayapura",
        "kota-ambon",
        False,
        None,
    )


def test_every_kind_of_bad_row_is_reported_with_its_line_number() -> None:
    existing = {session_key(1, datetime(2026, 12, 8, 2, 0, tzinfo=UTC), "Aula Rutan"): 17}
    text = (
        HEADER
        + "Pelatihan Las,,2026-12-01,09:00,12:00,WIB,Aula Rutan,,,,\n"  # 2: fine
        + "Pelatihan Las,,2026-12-02,09:00,08:00,WIB,Aula,,,,\n"  # 3
        + "Las,,2026-12-02,09:00,10:00,WIB,Aula,,,,\n"  # 4
        + "Penyuluhan Hukum,,2026-12-02,09:00,10:00,WIB,Aula,,,,\n"  # 5
        + "1,,2026-02-30,09:00,10:00,WIB,Aula,,,,\n"  # 6
        + "1,,2026-12-02,9am,10:00,WIB,Aula,,,,\n"  # 7
        + "1,,2026-12-02,09:00,10:00,WITB,Aula,,,,\n"  # 8
        + "1,,2026-10-02,09:00,10:00,WIB,Aula,,,,\n"  # 9
        + "1,,2026-12-02,09:00,10:00,WIB,Aula,0,,,\n"  # 10
        + "1,,2026-12-02,09:00,10:00,WIB,Aula,,serang,,\n"  # 11
        + "1,,2026-12-02,09:00,10:00,WIB,Aula,,kota ambon,,\n"  # 12
        + "1,,2026-12-02,09:00,10:00,WIB,Aula,,,mungkin,\n"  # 13
        + "1,,2026-12-02,09:00,10:00,WIB,Aula,,,,-5\n"  # 14
        + ",,2026-12-02,09:00,10:00,WIB,,,,,\n"  # 15
        + "1,,2026-12-08,09:00,10:00,WIB,aula  rutan,,,,\n"  # 16: already in the database
        + "1,,2026-12-01,09:00,12:00,WIB,AULA RUTAN,,,,\n"  # 17: same as line 2
        + "1,,2026-12-02,09:00,10:00,WIB,Aula,,,,,surplus\n"  # 18
        + '1,"Las,\nlanjutan",2026-12-02,09:00,10:00,WIB,Aula,abc,,,\n'  # 19-20: one record
        + ",,,,,,,,,,\n"  # 21: empty, skipped
        + "1,,2026-12-02,09:00,10:00,WIB,"
        + "x" * 201
        + ",,,,\n"  # 22
    )
    parsed = parse(text, existing)
    assert [row.line for row in parsed.rows] == [2]
    reasons = dict(parsed.errors)  # the first reason per line is enough for most
    assert reasons[3] == "end time 08:00 is before start time 09:00"
    assert reasons[4].startswith("there is no program 'Las'")
    assert reasons[5] == "2 programs are called 'Penyuluhan Hukum' (ids 3, 4): give the id instead"
    assert reasons[6] == "date '2026-02-30' is not a day of the calendar"
    assert reasons[7].startswith("start '9am' is not a time: use HH:MM or HH.MM")
    assert reasons[8].startswith("timezone 'WITB' is not an Indonesian time zone")
    assert reasons[9] == "start 2026-10-02 09:00 WIB is in the past"
    assert reasons[10].startswith("capacity '0' must be a whole number of seats, at least 1")
    assert reasons[11] == (
        "city 'serang' could be Kota Serang, Kabupaten Serang: write the one you mean in full"
    )
    assert reasons[12] == "Kota Ambon is in WIT, but the times are in WIB"
    assert reasons[13].startswith("open 'mungkin' must be ya or tidak")
    assert reasons[14].startswith("offsets '-5' must be minutes before the start")
    assert [r for line, r in parsed.errors if line == 15] == ["program is empty", "place is empty"]
    assert reasons[16] == "duplicates session 17 (same program, start and place)"
    assert reasons[17] == "duplicates line 2 (same program, start and place)"
    assert reasons[18].startswith("has 12 cells but the header has 11")
    assert reasons[19].startswith("capacity 'abc'")
    assert reasons[22] == "place is 201 characters long; at most 200 fit"
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 22]


def test_semicolons_with_a_byte_order_mark_and_day_month_year() -> None:
    data = (
        "\ufeffProgram;Title;Date;Start;End;Timezone;Place;Map URL;Offsets\r\n"
        '1;Las;01/12/2026;09.00;12.00;wib;Aula Rutan;https://maps.app.goo.gl/x;"4320;1440"\r\n'
        "1;;5-1-2027;13:30;15:00;WITA;Balai Kota Makassar;;\r\n"
    ).encode()
    parsed = parse(decode(data))
    assert parsed.errors == []
    first, second = parsed.rows
    assert first.starts_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert (first.map_url, first.offsets, first.title) == (
        "https://maps.app.goo.gl/x",
        [4320, 1440],
        "Las",
    )
    assert second.starts_at == datetime(2027, 1, 5, 5, 30, tzinfo=UTC)  # 13.30 WITA
    assert second.timezone == "Asia/Makassar"


def test_a_bad_header_refuses_the_whole_file() -> None:
    with pytest.raises(InputError, match=r"line 1 \(header\): unknown column\(s\) capasity"):
        parse("program,date,start,end,timezone,place,capasity\n")
    with pytest.raises(InputError, match=r"missing column\(s\) timezone, place"):
        parse("program,date,start,end\n")
    with pytest.raises(InputError, match="the file is empty"):
        parse("")


def test_a_file_that_is_not_utf8_says_how_to_save_it() -> None:
    with pytest.raises(InputError, match="line 2: the file is not UTF-8; save it as CSV UTF-8"):
        decode((HEADER + "1,,2026-12-01,09:00,10:00,WIB,Café Bina Usaha,,,,\n").encode("cp1252"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WIB", "Asia/Jakarta"),
        ("wita", "Asia/Makassar"),
        ("WIT", "Asia/Jayapura"),
        ("asia/jayapura", "Asia/Jayapura"),
        ("Asia/Makassar", "Asia/Makassar"),
    ],
)
def test_time_zones(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


def test_single_values_staff_type() -> None:
    assert parse_date("2026-12-01") == parse_date("01/12/2026") == date(2026, 12, 1)
    assert parse_clock("9.05") == time(9, 5)
    assert parse_clock("13:30:00") == time(13, 30)
    assert parse_local("2026-12-07 09:00", "Asia/Jayapura", "--start") == datetime(
        2026, 12, 7, 0, 0, tzinfo=UTC
    )
    day = date(2026, 12, 7)
    assert parse_local("12:00", "Asia/Jakarta", "--end", day=day) == datetime(
        2026, 12, 7, 5, 0, tzinfo=UTC
    )
    with pytest.raises(InputError, match='write it like "2026-12-01 09:00"'):
        parse_local("besok", "Asia/Jakarta", "--start")
    assert parse_offsets("1440, 120") == parse_offsets("120;1440") == [1440, 120]
    assert parse_offsets(" ") is None
    assert resolve_city("kota pekalongan") == "kota-pekalongan"
    with pytest.raises(InputError, match="not a kabupaten/kota we know"):
        resolve_city("atlantis")
    assert program_kind("pelatihan") == program_kind("Pelatihan Kerja") == "job_training"
    assert program_kind("umkm") == "economic" and program_kind("wajib_lapor") == "reporting"
    assert program_kind("paket") == "schooling" and program_kind("hukum") == "legal"
    with pytest.raises(InputError, match="job_training"):
        program_kind("menjahit")
