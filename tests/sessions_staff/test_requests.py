"""/jadwalulang: the open "Tidak bisa" answers and reschedule requests of the people a staff
member acts on, with reason and days; moving the person to another session of the program
(they get the usual confirmation), or marking it handled; each audited, and another
organisation's or a colleague's request is not found."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import Enrolment
from tests.fakes.channel import CollectingChannel
from tests.helpers.reminders import outbox
from tests.helpers.sessions_staff import (
    NOW,
    Phone,
    add_session,
    answer,
    audit_of,
    button,
    fits_whatsapp,
    text_of,
    world,
)


async def enrolment(db: Database, participant: int, session: int) -> Enrolment | None:
    async with db.transaction() as tx:
        query = select(Enrolment).where(
            Enrolment.participant_id == participant, Enrolment.session_id == session
        )
        return (await tx.execute(query)).scalar_one_or_none()


async def test_a_reschedule_request_answered_by_moving_the_person(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    saturday = await add_session(db, w.program, NOW + timedelta(days=5, hours=-3))
    request = await answer(
        db, w.sari, w.later, "reschedule", reason="Ada sidang di pengadilan", days="mon,sat"
    )
    await answer(db, w.agus, w.later, "no")  # a colleague's: not in her list
    phone = Phone(inbox, channel, w.caseworker.address)

    listed = await phone.says("/jadwalulang")
    assert "<b>Sari Dewi</b>: Minta jadwal ulang" in text_of(listed)
    assert "Agus" not in text_of(listed)
    opened = await phone.presses(button(listed, "Sari Dewi"))
    text = text_of(opened)
    assert "Alasan: Ada sidang di pengadilan" in text
    assert "Hari yang cocok: Senin, Sabtu" in text
    choices = await phone.presses(button(opened, "Pindah ke sesi lain"))
    assert f"staff:rqmv:{request}.{saturday}" in [b.payload for b in choices[-1].buttons]
    moved = await phone.presses(button(choices, "Sab 5/12"))

    assert "Beres: Sari Dewi pindah ke Pelatihan Las" in text_of(moved)
    seat = await enrolment(db, w.sari, saturday)
    assert seat is not None and seat.status == "enrolled"
    old = await enrolment(db, w.sari, w.later)
    assert old is not None and old.handled_at == NOW
    assert old.handled_by == w.caseworker.view.staff_id
    confirmations = [
        r for r in await outbox(db) if r.kind == "confirmation" and r.session_id == saturday
    ]
    assert [r.participant_id for r in confirmations] == [w.sari]
    handled = await audit_of(db, "handled")
    assert [(r.participant_id, r.detail) for r in handled] == [
        (w.sari, f"answer=e{request} moved session={saturday}")
    ]
    assert "Tidak ada permintaan yang terbuka" in text_of(moved)  # dealt with: off the list
    if channel.name == "whatsapp":
        fits_whatsapp(listed + opened + choices + moved)


async def test_a_cant_come_answer_marked_handled_leaves_the_list(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    request = await answer(db, w.agus, w.later, "no")
    admin = Phone(inbox, channel, w.admin.address)

    listed = await admin.says("/jadwalulang")
    assert "<b>Agus Salim</b>: Tidak bisa" in text_of(listed)
    opened = await admin.presses(button(listed, "Agus Salim"))
    assert "Pindah ke sesi lain" in [b.title for b in opened[-1].buttons]
    done = await admin.presses(button(opened, "Tandai selesai"))

    assert "Ditandai selesai: Agus Salim." in text_of(done)
    assert "Agus" not in text_of(await admin.says("/jadwalulang"))
    row = await enrolment(db, w.agus, w.later)
    assert row is not None and row.handled_at == NOW and row.status == "withdrawn"
    assert [r.detail for r in await audit_of(db, "handled")] == [f"answer=e{request} done"]
    if channel.name == "whatsapp":
        fits_whatsapp(listed + opened + done)


async def test_requests_out_of_scope_are_not_found(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    saturday = await add_session(db, w.program, NOW + timedelta(days=5))
    theirs = await answer(db, w.agus, w.later, "reschedule", reason="Sakit")
    stranger = Phone(inbox, channel, w.stranger.address)
    caseworker = Phone(inbox, channel, w.caseworker.address)  # Agus is her colleague's

    for phone in (stranger, caseworker):
        assert "Agus" not in text_of(await phone.says("/jadwalulang"))
        for payload in (
            f"staff:rq:e{theirs}",
            f"staff:rqh:e{theirs}",
            f"staff:rqm:e{theirs}",
            f"staff:rqmv:{theirs}.{saturday}",
            f"staff:rqo:e{theirs}",
            "staff:rq:e99999",
            "staff:rq:x1",
        ):
            replies = await phone.presses(payload)
            assert "Tidak ada permintaan terbuka dengan nomor itu" in text_of(replies)
            assert "Sakit" not in text_of(replies)
    row = await enrolment(db, w.agus, w.later)
    assert row is not None and row.handled_at is None
    assert await enrolment(db, w.agus, saturday) is None
    assert await audit_of(db, "handled") == []
