"""What staff do with an alert: take it on ("Saya tangani"), close it with an outcome
("Selesai"), or leave it, and then it goes up to the admins once, after the organisation's
hours; nobody outside the participant's scope can touch it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.inbox import Inbox
from storage.db import Database
from storage.erasure import erase_participant
from storage.models import AuditEntry, Participant, Staff
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.alerts import (
    ADMIN,
    CASEWORKER,
    TROUBLED,
    all_flags,
    check_in,
    deliver,
    office,
    outbox,
    sent_to,
)
from tests.helpers.cli import run_command
from tests.helpers.digest import add_org, add_staff
from tests.helpers.staff.chat import audit_rows

NOW = timedelta(0)
FOUR_HOURS = timedelta(hours=4, minutes=1)


async def _alerted(db: Database, inbox: Inbox, channel: CollectingChannel) -> tuple[int, int]:
    """A troubled check-in alerted the caseworker; (participant id, the alert's flag id)."""
    place = await office(db, inbox, channel)
    await check_in(place.person, TROUBLED)
    assert await deliver(db, channel, NOW) == 1
    lead = (await all_flags(db, place.pid))[0]
    return place.pid, lead.id


def _actions(rows: list[AuditEntry]) -> list[tuple[str, int | None]]:
    return [(row.action, row.participant_id) for row in rows if row.action != "view"]


async def test_resolve_with_an_outcome_closes_the_alert_audited_and_nothing_escalates(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid, flag = await _alerted(db, inbox, channel)
    budi = Person(inbox, channel, address=CASEWORKER)
    [ask] = await budi.presses(f"staff:aldone:{flag}")
    assert "Bagaimana peringatan tentang Yusuf Latuconsina" in ask.text
    assert [b.title for b in ask.buttons] == [
        "Sudah dihubungi", "Dirujuk", "Bukan darurat", "Lainnya",
    ]  # fmt: skip
    [done] = await budi.presses(ask.buttons[0].payload)
    assert "selesai: Sudah dihubungi" in done.text
    alerting = [f for f in await all_flags(db, pid) if f.checkin_id is not None]
    assert len(alerting) == 3
    staff_id = (await outbox(db, "staff_alert"))[0].staff_id
    for closed in alerting:
        assert (closed.status, closed.outcome, closed.resolved_by_id) == (
            "resolved", "contacted", staff_id,
        )  # fmt: skip
        assert closed.resolved_at is not None
    assert ("resolve", pid) in _actions(await audit_rows(db))
    assert await deliver(db, channel, FOUR_HOURS) == 0
    assert sent_to(channel, ADMIN) == []
    [again] = await budi.presses(ask.buttons[1].payload)  # a second press changes nothing
    assert "sudah diselesaikan" in again.text
    assert {f.outcome for f in alerting} == {"contacted"}


async def test_saya_tangani_acknowledges_keeps_it_open_and_stops_the_escalation(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid, flag = await _alerted(db, inbox, channel)
    budi = Person(inbox, channel, address=CASEWORKER)
    [taken] = await budi.presses(f"staff:alack:{flag}")
    assert "Anda menangani peringatan" in taken.text
    assert [b.payload for b in taken.buttons] == [f"staff:aldone:{flag}", f"staff:p:{pid}"]
    [lead, *_rest] = await all_flags(db, pid)
    assert (lead.status, lead.acknowledged_at is not None) == ("open", True)
    assert ("acknowledge", pid) in _actions(await audit_rows(db))
    assert {row.status for row in await outbox(db, "alert_escalation")} == {"cancelled"}
    assert await deliver(db, channel, FOUR_HOURS) == 0
    assert sent_to(channel, ADMIN) == []


async def test_an_alert_nobody_takes_on_goes_to_the_admins_once_after_four_hours(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _pid, flag = await _alerted(db, inbox, channel)
    assert await deliver(db, channel, timedelta(hours=3, minutes=58)) == 0
    assert sent_to(channel, ADMIN) == []
    assert await deliver(db, channel, FOUR_HOURS) == 1
    [up] = sent_to(channel, ADMIN)
    assert "Sudah 4 jam belum ada yang menangani" in up
    assert "Suasana hati: 😞 Sangat buruk" in up
    assert await deliver(db, channel, timedelta(hours=9)) == 0  # once
    admin = Person(inbox, channel, address=ADMIN)
    [taken] = await admin.presses(f"staff:alack:{flag}")  # an admin may act on everyone
    assert "Anda menangani" in taken.text


async def test_escalation_hours_are_the_organisations(
    db: Database, inbox: Inbox, channel: CollectingChannel, database_url: str
) -> None:
    place = await office(db, inbox, channel)
    code, out, _err = await run_command(
        database_url, f"checkins alerts --org {place.org} --escalate-hours 1"
    )
    assert code == 0 and "escalate after 1 h" in out
    await check_in(place.person, TROUBLED)
    assert await deliver(db, channel, timedelta(minutes=59)) == 1  # the alert itself
    assert await deliver(db, channel, timedelta(minutes=61)) == 1
    [up] = sent_to(channel, ADMIN)
    assert "Sudah 1 jam" in up


async def test_another_organisations_staff_forging_payloads_get_nothing(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid, flag = await _alerted(db, inbox, channel)
    other = await add_org(db, "Lapas Jayapura")
    await add_staff(db, other, "Andi Lain", address="9100", channel=channel.name, role="admin")
    andi = Person(inbox, channel, address="9100")
    answers = []
    for payload in (
        f"staff:alack:{flag}", f"staff:aldone:{flag}", f"staff:alout:{flag}.c",
        "staff:alout:99999.c", f"staff:alout:{flag}.x", "staff:alack:abc",
    ):  # fmt: skip
        [answer] = await andi.presses(payload)
        answers.append(answer.text)
    assert set(answers) == {"Peringatan itu tidak ada, atau bukan wewenang Anda."}
    assert {(f.status, f.acknowledged_at) for f in await all_flags(db, pid)} == {("open", None)}
    assert [row for row in await audit_rows(db) if row.action in ("resolve", "acknowledge")] == []
    assert await deliver(db, channel, FOUR_HOURS) == 1  # still escalates: nobody took it on


async def test_a_caseworker_who_only_reads_the_participant_cannot_resolve(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid, flag = await _alerted(db, inbox, channel)
    [alert] = await outbox(db, "staff_alert")
    async with db.transaction() as tx:
        budi = await tx.get(Staff, alert.staff_id)
        assert budi is not None
        organisation = budi.organisation_id
    await add_staff(db, organisation, "Citra Rekan", address="9200", channel=channel.name)
    citra = Person(inbox, channel, address="9200")  # a colleague: sees Yusuf, does not act
    [answer] = await citra.presses(f"staff:alout:{flag}.c")
    assert answer.text == "Peringatan itu tidak ada, atau bukan wewenang Anda."
    assert {f.status for f in await all_flags(db, pid)} == {"open"}


async def test_an_alert_about_someone_erased_before_it_went_is_never_sent(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await check_in(place.person, TROUBLED)
    async with db.transaction() as tx:
        participant = await tx.get(Participant, place.pid)
        assert participant is not None
        await erase_participant(tx, participant, datetime.now(UTC))
    assert await deliver(db, channel, NOW) == 0
    assert await deliver(db, channel, FOUR_HOURS) == 0
    assert sent_to(channel, CASEWORKER) == sent_to(channel, ADMIN) == []
    assert await all_flags(db, place.pid) == []


async def test_the_rules_command_refuses_odd_hours_and_keeps_what_it_is_not_told(
    db: Database, inbox: Inbox, channel: CollectingChannel, database_url: str
) -> None:
    place = await office(db, inbox, channel)
    code, _out, err = await run_command(
        database_url, f"checkins alerts --org {place.org} --escalate-hours 0"
    )
    assert code != 0 and "--escalate-hours" in err
    code, out, _err = await run_command(
        database_url, f"checkins alerts --org {place.org} --no-home off"
    )
    assert code == 0
    assert "mood-1 on, no-home off, wants-contact on, escalate after 4 h" in out
    code, out, _err = await run_command(
        database_url, f"checkins alerts --org {place.org} --escalate-hours 8"
    )
    assert "mood-1 on, no-home off, wants-contact on, escalate after 8 h" in out
