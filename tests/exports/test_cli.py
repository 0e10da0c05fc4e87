"""`pendamping export participants|attendance|rsvps --org ...`: the organisation's data as its
admins see it, written to a file, audited as the command line's."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from tests.helpers.cli import run_cli, run_command
from tests.helpers.exports import export_audit, read_csv, read_xlsx, world, xlsx_rows


def files_named(folder: Path, start: str) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.startswith(start)]


async def test_export_writes_an_xlsx_file_and_an_audit_row(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    w = await world(db, "telegram")
    folder = tmp_path / "exports"
    folder.mkdir()
    output = folder / "jawaban.xlsx"

    code, out, err = await run_command(
        database_url,
        f"export rsvps --org {w.org_a} --format xlsx --output {output} --since 2026-11-26",
    )
    assert code == 0, err
    assert out.strip() == (f"exported 1 row(s) of rsvps of Rutan Kelas IIA Pekalongan to {output}")
    assert [p.name for p in folder.iterdir()] == ["jawaban.xlsx"]  # no ".part" left
    sheet = read_xlsx(output.read_bytes())
    assert sheet.freeze_panes == "A2"
    rows = xlsx_rows(sheet)
    assert rows[0][:3] == ["ID peserta", "Nama", "Program/pertemuan"]
    assert [(r[0], r[2], r[6]) for r in rows[1:]] == [(w.budi, "Pelatihan Las", "Tidak bisa")]

    (entry,) = await export_audit(db)
    assert (entry.staff_id, entry.organisation_id, entry.channel) == (None, w.org_a, "cli")
    assert entry.detail == "rsvps xlsx rows=1 since=2026-11-26"


async def test_export_names_the_file_itself_and_speaks_english_when_asked(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    w = await world(db, "telegram")

    code, out, err = await run_cli(
        "export", "participants", "--org", "Bapas Semarang", "--format", "csv",
        "--language", "en", database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, err
    (written,) = files_named(tmp_path, "participants-")
    assert written.suffix == ".csv"
    assert out.strip().endswith(f"to {written.name}")
    rows = read_csv(written.read_bytes())
    assert list(rows[0])[:4] == ["ID", "Name", "Status", "Phone"]
    assert [(int(r["ID"]), r["Name"], r["Status"]) for r in rows] == [
        (w.dewi, "Dewi Lestari", "active")
    ]


async def test_export_of_an_unknown_organisation_is_refused(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    code, _out, err = await run_command(
        database_url, f"export attendance --org 'Lapas Nowhere' --output {folder / 'x.csv'}"
    )
    assert code == 1
    assert "there is no organisation 'Lapas Nowhere'" in err
    assert list(folder.iterdir()) == []
    assert await export_audit(db) == []
