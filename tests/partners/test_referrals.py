"""Referrals: a caseworker refers a participant to a partner's program, the participant is asked
on their own channel, and only their "Setuju" lets the partner see them, for as long as nobody
withdraws it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import handlers.partners.mitra
import handlers.partners.rujuk  # noqa: F401  (registers /rujuk)
from bot.inbox import Inbox
from handlers.partners.referrals import referral_programs
from handlers.types import Template
from storage.db import Database
from storage.models import ReferralStatus
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import Clock, dispatcher
from tests.helpers.signup import sign_up
from tests.helpers.staff.partners import audit_rows, run
from tests.helpers.staff.referrals import World, in_scope, referral, seen_by, world


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def referred(db: Database, w: World, channel: CollectingChannel, person: Person) -> int:
    """The caseworker refers the participant by buttons; the question goes out; its referral id."""
    chose = await run(db, w.caseworker, "rujuk", str(w.participant))
    partner_button = chose.replies[0].buttons[0]
    assert partner_button.title == "Dinas Sosial Kota P…"
    program = await run(db, w.caseworker, "rujuk", partner_button.payload.partition(":")[2])
    assert [b.title for b in program.replies[0].buttons] == ["Pelatihan Menjahit"]
    done = await run(
        db, w.caseworker, "rujuk", program.replies[0].buttons[0].payload.partition(":")[2]
    )
    row = await referral(db)
    assert f"#{row.id}" in done.text() and row.status == ReferralStatus.ASKED
    assert not await in_scope(db, w.partner_admin.view, w.participant)  # not before consent
    before = len(channel.sent)
    assert await dispatcher(db, channel, Clock(datetime.now(UTC))).run_once() == 1
    assert [address for address, _r in channel.sent[before:]] == [person.address]
    return row.id


async def test_the_question_says_who_sees_what_and_names_no_justice_institution(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    w = await world(db, person)
    rid = await referred(db, w, channel, person)
    question = person.last()
    assert "Dinas Sosial Kota Pekalongan" in question.text and "Pelatihan Menjahit" in question.text
    assert "nama Anda, nomor HP Anda" in question.text and "tidak ada yang berubah" in question.text
    assert "Rutan" not in question.text  # the participant is discreet (a former inmate)
    assert [(b.title, b.payload) for b in question.buttons] == [
        ("Setuju", f"ref:yes:{rid}"),
        ("Tidak", f"ref:no:{rid}"),
    ]
    # outside WhatsApp's 24 hours it goes as the "update" template, whose Buka opens it
    assert question.template is not None and question.template.key == "update"
    opened = await person.presses(question.template.payloads[0])
    assert [b.payload for b in opened[-1].buttons] == [f"ref:yes:{rid}", f"ref:no:{rid}"]


@pytest.mark.parametrize("answer", ["button", "setuju", "Ya, setuju"])
async def test_consent_lets_the_partner_see_exactly_that_participant(
    db: Database, person: Person, channel: CollectingChannel, inbox: Inbox, answer: str
) -> None:
    w = await world(db, person)
    other = Person(inbox, channel, address="1002", profile_name="Sari Dewi")
    await sign_up(other)  # a second participant of nobody's partner
    rid = await referred(db, w, channel, person)
    replies = await (
        person.presses(f"ref:yes:{rid}") if answer == "button" else person.says(answer)
    )
    assert "Terima kasih" in replies[-1].text
    assert (await referral(db)).status == ReferralStatus.ACTIVE
    for staff in (w.partner_admin.view, w.partner_caseworker.view):
        assert await seen_by(db, staff) == [w.participant]
        assert await in_scope(db, staff, w.participant)
        assert not await in_scope(db, staff, w.participant, act=True)  # read only
    assert await seen_by(db, w.stranger.view) == []
    assert not await in_scope(db, w.stranger.view, w.participant)
    async with db.transaction() as tx:
        assert await referral_programs(tx, w.partner_admin.view, w.participant) == [w.program]
        assert await referral_programs(tx, w.caseworker.view, w.participant) is None
    details = [r.detail for r in await audit_rows(db, "refer")]
    assert details == [
        f"referral {rid} asked: organisation {w.partner_org} program {w.program}",
        f"referral {rid} agreed by the participant",
    ]
    # their own data view lists the partner, with a button to take it back
    await person.says("/profil")
    view = person.last()
    assert "Mitra yang bisa melihat data saya" in view.text and "Dinas Sosial" in view.text
    assert f"ref:off:{rid}" in [b.payload for b in view.buttons]


@pytest.mark.parametrize("answer", ["button", "gak mau", "tidak"])
async def test_no_shares_nothing_and_the_caseworker_is_told(
    db: Database, person: Person, channel: CollectingChannel, answer: str
) -> None:
    w = await world(db, person)
    rid = await referred(db, w, channel, person)
    before = len(channel.sent)
    replies = await (person.presses(f"ref:no:{rid}") if answer == "button" else person.says(answer))
    assert "tidak ada data yang dibagikan" in replies[-1].text
    assert (await referral(db)).status == ReferralStatus.DECLINED
    told = [r for address, r in channel.sent[before:] if address == w.caseworker.address]
    notice = f"Peserta #{w.participant} tidak setuju dengan rujukan #{rid}: tidak ada data yang dibagikan."
    assert [r.text for r in told] == [notice]
    # More than 24 hours after the caseworker last wrote, WhatsApp takes it only as a template:
    assert told[0].template == Template("notice", (notice,))
    assert await seen_by(db, w.partner_admin.view) == []
    assert not await in_scope(db, w.partner_admin.view, w.participant)
    # a later "Setuju" on the old question changes nothing
    await person.presses(f"ref:yes:{rid}")
    assert (await referral(db)).status == ReferralStatus.DECLINED


@pytest.mark.parametrize("by", ["organisation", "partner", "participant"])
async def test_withdrawn_by_any_side_the_partner_sees_nothing(
    db: Database, person: Person, channel: CollectingChannel, by: str
) -> None:
    w = await world(db, person)
    rid = await referred(db, w, channel, person)
    await person.presses(f"ref:yes:{rid}")
    assert await in_scope(db, w.partner_admin.view, w.participant)
    if by == "organisation":
        said = await run(db, w.caseworker, "rujuk", f"batal {rid}")
        assert "sudah dicabut" in said.text()
    elif by == "partner":
        said = await run(db, w.partner_caseworker, "rujuk", f"batal {rid}")
        assert "sudah dicabut" in said.text()
    else:
        replies = await person.presses(f"ref:off:{rid}")
        assert "tidak bisa melihat data Anda lagi" in replies[-1].text
    row = await referral(db)
    assert (row.status, row.withdrawn_by) == (ReferralStatus.WITHDRAWN, by)
    for staff in (w.partner_admin.view, w.partner_caseworker.view):
        assert await seen_by(db, staff) == []
        assert not await in_scope(db, staff, w.participant)
    async with db.transaction() as tx:
        assert await referral_programs(tx, w.partner_admin.view, w.participant) == []
    assert [r.participant_id for r in await audit_rows(db, "withdraw")] == [w.participant]


async def test_forged_ids_change_nothing(
    db: Database, person: Person, channel: CollectingChannel, inbox: Inbox
) -> None:
    w = await world(db, person)
    rid = await referred(db, w, channel, person)
    # another participant presses this participant's consent button
    other = Person(inbox, channel, address="1002", profile_name="Sari Dewi")
    await sign_up(other)
    await other.presses(f"ref:yes:{rid}")
    assert (await referral(db)).status == ReferralStatus.ASKED
    await person.presses(f"ref:yes:{rid}")
    # a third organisation's admin withdraws it, refers our participant, or a made-up id
    for args in (
        f"batal {rid}",
        str(w.participant),
        f"{w.participant} {w.partner_org} {w.program}",
    ):
        said = await run(db, w.stranger, "rujuk", args)
        assert "Pekalongan" not in said.text() and said.told == []
    # the partner refers the participant on (it may only read them)
    said = await run(db, w.partner_admin, "rujuk", f"{w.participant} {w.partner_org}")
    assert said.text() == "Tidak ada peserta dengan nomor itu yang bisa Anda rujuk."
    assert (await referral(db)).id == rid and (await referral(db)).status == ReferralStatus.ACTIVE
    assert await seen_by(db, w.stranger.view) == []


async def test_erasure_withdraws_and_the_partner_sees_nothing(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    w = await world(db, person)
    rid = await referred(db, w, channel, person)
    await person.says("setuju")
    assert await seen_by(db, w.partner_admin.view) == [w.participant]
    await person.says("/hapus")
    await person.presses("erase:yes")
    row = await referral(db)
    assert row.id == rid and row.status == ReferralStatus.WITHDRAWN
    assert await seen_by(db, w.partner_admin.view) == []
    assert not await in_scope(db, w.partner_admin.view, w.participant)


async def test_ending_the_partnership_withdraws_its_referrals(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    w = await world(db, person)
    rid = await referred(db, w, channel, person)
    await person.presses(f"ref:yes:{rid}")
    listed = await run(db, w.partner_admin, "mitra")
    partnership = listed.text().split("#")[1].split()[0]
    ended = await run(db, w.partner_admin, "mitra", f"akhiri {partnership}")
    assert "Rujukan yang dicabut: 1" in ended.text()
    row = await referral(db)
    assert (row.id, row.status, row.withdrawn_by) == (rid, ReferralStatus.WITHDRAWN, "partner")
    assert await seen_by(db, w.partner_admin.view) == []
    # no new referral along an ended partnership
    said = await run(db, w.caseworker, "rujuk", f"{w.participant} {w.partner_org} {w.program}")
    assert "belum punya mitra aktif" in said.text()
    assert (await referral(db)).id == rid
