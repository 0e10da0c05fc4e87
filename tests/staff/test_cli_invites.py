"""`pendamping staff invite`: a one-time code, its Telegram and WhatsApp links, a QR code of
each, stored only as a hash, expiring, and audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import png
import qrcode
from sqlalchemy import select

from handlers.flow import FlowSettings
from handlers.staff.codes import code_hash, code_in
from handlers.staff.invites import create_invite, create_staff_invite, revoke_invite
from handlers.staff.links import invite_links
from storage.db import Database
from storage.models import Invite
from storage.staff.invites import usable_invite
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.database_scan import find_strings
from tests.helpers.participants import add_participant
from tests.helpers.staff.cli import NOW, add_org, audit_rows, pendamping, run_process

NUMBER = "6281234567890"


def qr_modules(path: Path) -> list[list[bool]]:
    """The dark modules of a QR code PNG written with box size 10 and a border of 4."""
    width, height, rows, _info = png.Reader(filename=str(path)).read()
    assert width == height
    pixels = [list(row) for row in rows]
    box, border = 10, 4
    count = width // box - 2 * border
    return [
        [
            pixels[(border + y) * box + box // 2][(border + x) * box + box // 2] == 0
            for x in range(count)
        ]
        for y in range(count)
    ]


def expected_modules(link: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=0)
    code.add_data(link)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


async def test_the_invite_prints_a_code_links_and_expiry_and_writes_a_qr_code_of_each_link(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await add_org(db, "Bapas Ambon")
    code, out, err = await run_process(
        'staff invite --org "Bapas Ambon" --role admin --name "Maria Latuconsina" --hours 48',
        database_url=database_url,
        cwd=tmp_path,
        env={"WHATSAPP_BUSINESS_NUMBER": "+62 812-3456-7890"},
    )
    assert code == 0, err
    printed = dict(line.split(":", 1) for line in out.splitlines()[1:] if ":" in line)
    invite_code = printed["code"].strip()
    assert code_in(invite_code) == invite_code
    assert out.splitlines()[0] == "invite for an admin of Bapas Ambon: it works once"
    # No bot token in this environment: the operator is told why there is no Telegram link.
    assert printed["telegram"].strip() == "(no link: TELEGRAM_BOT_TOKEN is not set)"
    whatsapp = printed["whatsapp"].strip()
    assert whatsapp.startswith(f"https://wa.me/{NUMBER}?text=")
    assert unquote(whatsapp.split("text=", 1)[1]) == f"KODE {invite_code}"
    # The QR code is written where the command ran, named after the code, and holds the link.
    qr = tmp_path / f"{invite_code}-whatsapp.png"
    assert printed["qr code"].strip() == qr.name  # relative to the folder it ran in
    assert qr_modules(qr) == expected_modules(whatsapp)
    assert not (tmp_path / f"{invite_code}-telegram.png").exists()

    async with db.transaction() as tx:
        [invite] = (await tx.execute(select(Invite))).scalars()
        assert (invite.kind, invite.role, invite.name) == ("staff", "admin", "Maria Latuconsina")
        assert invite.expires_at - invite.created_at == timedelta(hours=48)
        # Only the hash is kept: the code itself is in no column of any table.
        assert invite.code_hash == code_hash(invite_code)
    assert await find_strings(db, [invite_code]) == []
    [row] = await audit_rows(db, "invite")
    assert (row.staff_id, row.channel, row.detail) == (None, "cli", "staff admin")
    assert await find_strings(db, ["Latuconsina"]) and "Latuconsina" not in (row.detail or "")


async def test_the_telegram_link_uses_the_username_the_bot_api_gives(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await add_org(db, "Rutan Pekalongan", "rutan")
    async with FakeTelegramAPI(bot_username="lapas_pendamping_bot") as fake:
        code, out, err = await pendamping(
            database_url,
            f"staff invite --org 1 --role caseworker --qr-dir {tmp_path}",
            telegram_bot_token=fake.token,
            telegram_api_url=fake.url,
        )
    assert code == 0, err
    invite_code = code_in(out)
    assert invite_code is not None
    link = f"https://t.me/lapas_pendamping_bot?start={invite_code}"
    assert f"telegram:  {link}\n" in out
    assert "whatsapp:  (no link: WHATSAPP_BUSINESS_NUMBER is not set)" in out
    assert qr_modules(tmp_path / f"{invite_code}-telegram.png") == expected_modules(link)
    # The default lifetime is INVITE_HOURS (72 unless set).
    async with db.transaction() as tx:
        [invite] = (await tx.execute(select(Invite))).scalars()
        assert invite.expires_at - invite.created_at == timedelta(hours=72)


async def test_a_bot_api_that_does_not_answer_leaves_out_the_telegram_link_without_failing(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await add_org(db, "Rutan Pekalongan", "rutan")
    qr_dir = tmp_path / "qr"
    qr_dir.mkdir()
    async with FakeTelegramAPI() as fake:
        url = fake.url  # the fake is gone once the block ends: nothing listens there any more
    code, out, err = await pendamping(
        database_url,
        f"staff invite --org 1 --role caseworker --qr-dir {qr_dir}",
        telegram_bot_token="123456:TEST",
        telegram_api_url=url,
        invite_hours=24,
    )
    assert code == 0, err
    assert "telegram:  (no link: the Bot API did not answer getMe" in out
    assert code_in(out) is not None
    assert list(qr_dir.iterdir()) == []  # no link, no QR code
    async with db.transaction() as tx:
        [invite] = (await tx.execute(select(Invite))).scalars()
        assert invite.expires_at - invite.created_at == timedelta(hours=24)


async def test_an_unknown_organisation_or_folder_is_refused_and_nothing_is_made(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    code, _out, err = await pendamping(database_url, "staff invite --org 9 --role admin")
    assert code == 1 and "there is no organisation '9'" in err
    await add_org(db, "Bapas Ambon")
    missing = tmp_path / "nope"
    code, _out, err = await pendamping(
        database_url, f"staff invite --org 1 --role admin --qr-dir {missing}"
    )
    assert code == 1 and f"the folder {missing} does not exist" in err
    assert await audit_rows(db) == []


def test_links_are_given_only_for_what_is_known() -> None:
    both = invite_links(
        "K7QX2M9PD4",
        FlowSettings(telegram_username="@pendamping_bot", whatsapp_number="+6281234567890"),
    )
    assert both.telegram == "https://t.me/pendamping_bot?start=K7QX2M9PD4"
    assert both.whatsapp == "https://wa.me/6281234567890?text=KODE%20K7QX2M9PD4"
    assert code_in(unquote(both.whatsapp.split("text=")[1])) == "K7QX2M9PD4"
    only_whatsapp = invite_links("K7QX2M9PD4", FlowSettings(whatsapp_number="6281234567890"))
    assert only_whatsapp.telegram is None and only_whatsapp.whatsapp is not None
    neither = invite_links("K7QX2M9PD4", FlowSettings())
    assert (neither.telegram, neither.whatsapp) == (None, None)


async def test_a_code_expires_and_a_revoked_code_no_longer_works(db: Database) -> None:
    org = await add_org(db, "Bapas Ambon")
    person = await add_participant(db, "Budi Santoso", now=NOW)
    async with db.transaction() as tx:
        staff_code = await create_staff_invite(
            tx, organisation_id=org, role="caseworker", name=None, created_by=None, now=NOW, hours=2
        )
        relink = await create_invite(
            tx, kind="relink", organisation_id=org, participant_id=person, created_by=None, now=NOW
        )
    async with db.transaction() as tx:
        assert await usable_invite(tx, code_hash(staff_code), NOW + timedelta(minutes=119))
        assert await usable_invite(tx, code_hash(staff_code), NOW + timedelta(hours=2)) is None
        found = await usable_invite(tx, code_hash(relink), NOW + timedelta(hours=71))
        assert found is not None and found.participant_id == person
        assert await revoke_invite(tx, found.id, by=None, now=NOW) is not None
    async with db.transaction() as tx:
        assert await usable_invite(tx, code_hash(relink), NOW) is None
        assert await revoke_invite(tx, found.id, by=None, now=NOW) is None  # once only
    revoked = await audit_rows(db, "revoke")
    assert [(r.participant_id, r.detail) for r in revoked] == [
        (person, f"invite {found.id} (relink)")
    ]
    invited = await audit_rows(db, "invite")
    assert [(r.participant_id, r.detail) for r in invited] == [
        (None, "staff caseworker"),
        (person, "relink"),
    ]
