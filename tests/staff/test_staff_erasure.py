"""/hapus with staff around: the audit rows stay, without personal data, still naming the
(erased) participant; their codes go; referrals end; the anonymous assignment stays."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from handlers.staff.audit import AuditAction, audit
from handlers.staff.invites import create_invite
from handlers.staff.scope import StaffView
from storage.db import Database
from storage.models import Invite, Participant, Referral
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.database_scan import find_strings
from tests.helpers.signup import sign_up
from tests.helpers.staff.cli import NOW, add_org, add_staff, audit_rows, pendamping


@pytest.mark.parametrize("channel_name", ["telegram", "whatsapp"])
async def test_erasure_keeps_the_audit_rows_and_nothing_personal(
    db: Database, database_url: str, settings: FlowSettings, channel_name: str
) -> None:
    channel = CollectingChannel(name=channel_name)
    inbox = Inbox(db, settings, {channel.name: channel})
    someone = Person(
        inbox, channel, address="6281300000001", profile_name="Budi Santoso",
        contact_button=channel_name == "telegram",
    )  # fmt: skip
    serang = await add_org(db, "Bapas Serang")
    partner = await add_org(db, "Dinas Tenaga Kerja", "dinas")
    sari = await add_staff(db, serang, "Sari")
    await sign_up(someone)
    async with db.transaction() as tx:
        person = (await tx.execute(select(Participant))).scalar_one()
        person.organisation_id, person.caseworker_id = serang, sari
        pid = person.id
        staff = StaffView(sari, serang, "caseworker", "Sari", "id")
        await audit(
            tx,
            staff=staff,
            action=AuditAction.VIEW,
            channel=channel_name,
            now=NOW,
            participant_id=pid,
        )
        await create_invite(
            tx,
            kind="relink",
            organisation_id=serang,
            participant_id=pid,
            created_by=staff,
            now=NOW,
            channel=channel_name,
        )
        tx.add(
            Referral(
                participant_id=pid, organisation_id=serang, partner_id=partner, status="active"
            )
        )
    assert await find_strings(db, ["Budi Santoso"], ["81234567890"])  # the check below can fail
    await someone.says("/hapus")
    replies = await someone.presses("erase:yes")
    assert "sudah dihapus" in replies[-1].text
    await inbox.flush()
    await inbox.close()

    assert await find_strings(db, ["Budi Santoso", "Santoso"], ["81234567890"]) == []
    rows = await audit_rows(db)
    assert [(r.action, r.staff_id, r.participant_id, r.detail) for r in rows] == [
        ("view", sari, pid, None),
        ("invite", sari, pid, "relink"),
    ]
    async with db.transaction() as tx:
        assert list((await tx.execute(select(Invite))).scalars()) == []
        referral = (await tx.execute(select(Referral))).scalar_one()
        assert (referral.status, referral.withdrawn_by) == ("withdrawn", "participant")
        assert referral.withdrawn_at is not None
        person = await tx.get(Participant, pid)
        assert person is not None
        assert (person.status, person.organisation_id, person.caseworker_id) == (
            "erased", serang, sari,
        )  # fmt: skip
    code, out, err = await pendamping(database_url, f"audit list --participant {pid}")
    assert code == 0, err
    assert f"{pid} (erased)" in out and "Budi" not in out
    assert " view " in out and " invite " in out
