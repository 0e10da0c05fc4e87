"""Messages through the bot, on both channels' names through the engine: a caseworker writes
from a card or with /pesan, the participant reads it from "their pendamping" by name and
replies, the reply reaches the caseworker (or whoever looks after the participant now)."""

from __future__ import annotations

import pytest

from bot.inbox import Inbox
from handlers.staff.audit import AuditAction
from handlers.types import Kind
from storage.db import Database
from storage.models import Participant
from storage.staff.relay import relay_thread
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.relay import (
    ANI,
    BUDI,
    RINA,
    SITI,
    audit_of,
    cast,
    deliver,
    flags,
    relays,
    revoke,
    sent_to,
)
from tests.helpers.signup import sign_up
from tests.helpers.staff.chat import place


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def test_a_caseworker_writes_and_reads_the_participants_reply(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    [sent] = await c.budi_chat.says(f"/pesan {c.participant_id} Halo <b>Siti</b>, besok jam 9 ya")
    assert "Terkirim ke Siti Aminah" in sent.text

    before = len(channel.sent)
    assert await deliver(db, channel) == 1
    [message] = [reply for to, reply in channel.sent[before:] if to == SITI]
    assert "pendamping Anda, Budi Santoso" in message.text
    assert "Halo &lt;b&gt;Siti&lt;/b&gt;, besok jam 9 ya" in message.text  # escaped, as typed
    assert [b.title for b in message.buttons] == ["Selesai"]

    before = len(channel.sent)
    [told] = await c.siti.says("Baik pak, saya datang")
    assert "Terkirim ke Budi Santoso" in told.text
    [notice] = [reply for to, reply in channel.sent[before:] if to == BUDI]
    assert "Siti Aminah" in notice.text and "Baik pak, saya datang" in notice.text
    assert [(b.title, b.payload) for b in notice.buttons] == [
        ("Balas", f"staff:msg:{c.participant_id}")
    ]
    assert sent_to(channel, ANI, before) == sent_to(channel, RINA, before) == []

    async with db.transaction() as tx:
        thread = await relay_thread(tx, c.participant_id, 10)
    assert [(line.direction, line.staff_name, line.text, line.delivery) for line in thread] == [
        ("to_participant", "Budi Santoso", "Halo <b>Siti</b>, besok jam 9 ya", "sent"),
        ("from_participant", "Budi Santoso", "Baik pak, saya datang", None),
    ]
    [to] = await audit_of(db, AuditAction.MESSAGE)
    [back] = await audit_of(db, AuditAction.RELAY)
    assert (to.staff_id, to.participant_id) == (c.budi, c.participant_id)
    assert (back.staff_id, back.participant_id) == (c.budi, c.participant_id)
    for row in (to, back):
        assert "Siti" not in (row.detail or "") and "datang" not in (row.detail or "")
    card = await c.budi_chat.says(f"/peserta {c.participant_id}")  # the thread is on the card
    section = card[-1].text.split("<b>Pesan lewat bot</b>\n", 1)[1].split("\n\n")[0]
    assert "Budi Santoso ke peserta: Halo &lt;b&gt;Siti&lt;/b&gt;, besok jam 9 ya" in section
    assert "peserta menulis: Baik pak, saya datang" in section
    [log] = await c.rina_chat.says("/audit")  # what the admin reads: who, what, no words
    assert "Budi Santoso · mengirim pesan" in log.text
    assert "Budi Santoso · menerima balasan peserta" in log.text
    assert "datang" not in log.text and "besok jam 9" not in log.text


async def test_from_the_card_a_button_asks_for_the_text_and_sends_it(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    [card] = await c.budi_chat.says(f"/peserta {c.participant_id}")
    assert ("Kirim pesan", f"staff:msg:{c.participant_id}") in [
        (b.title, b.payload) for b in card.buttons
    ]
    [asked] = await c.budi_chat.presses(f"staff:msg:{c.participant_id}")
    assert "Ketik pesan Anda untuk Siti Aminah" in asked.text
    # A message that begins with a menu word is still the message.
    [sent] = await c.budi_chat.says("Mulai besok kita bertemu di kantor jam 10.")
    assert "Terkirim ke Siti Aminah" in sent.text
    await deliver(db, channel)
    [message] = [r for to, r in channel.sent if to == SITI and "Mulai besok" in r.text]
    assert "Budi Santoso" in message.text

    # Next time, the conversation so far is shown before the question.
    await c.siti.says("Siap pak")
    shown = await c.budi_chat.presses(f"staff:msg:{c.participant_id}")
    assert "Mulai besok kita bertemu" in shown[0].text and "Siap pak" in shown[0].text
    assert "Ketik pesan Anda" in shown[-1].text
    [cancelled] = await c.budi_chat.says("batal")
    assert "Dibatalkan" in cancelled.text
    assert len(await relays(db)) == 2


async def test_the_reply_goes_to_the_new_caseworker_after_reassignment(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    await place(db, c.participant_id, c.org, c.ani)  # Budi no longer looks after her

    before = len(channel.sent)
    [told] = await c.siti.says("Kabar baik, pak")
    assert "Terkirim ke Ani Lestari" in told.text
    [notice] = sent_to(channel, ANI, before)
    assert "Kabar baik, pak" in notice and "tidak lagi menanganinya" in notice
    assert sent_to(channel, BUDI, before) == [] and sent_to(channel, RINA, before) == []
    assert (await relays(db))[-1].staff_id == c.ani


async def test_the_reply_goes_to_the_admin_after_the_caseworker_is_revoked(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    await revoke(db, c.budi)  # still her caseworker on paper, but no longer staff

    before = len(channel.sent)
    [told] = await c.siti.says("Kabar baik, pak")
    assert "Terkirim ke Rina Wati" in told.text
    [notice] = sent_to(channel, RINA, before)
    assert "Kabar baik, pak" in notice
    assert sent_to(channel, BUDI, before) == [] and sent_to(channel, ANI, before) == []
    assert await flags(db) == []


async def test_with_no_staff_reachable_the_reply_waits_as_a_flag(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    await revoke(db, c.budi)
    await revoke(db, c.rina)

    before = len(channel.sent)
    [told] = await c.siti.says("Kabar baik, pak")
    assert "tim program Anda" in told.text
    assert [to for to, _reply in channel.sent[before:]] == [SITI]
    [flag] = await flags(db)
    assert (flag.reason, flag.urgent, flag.participant_id) == ("message", False, c.participant_id)
    [kept] = [r for r in await relays(db) if r.direction == "from_participant"]
    assert (kept.status, kept.staff_id, kept.text) == ("flagged", None, "Kabar baik, pak")


async def test_done_ends_the_conversation_and_later_text_is_no_reply(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    before = len(channel.sent)
    [closed] = await c.siti.presses("relay:end")
    assert "percakapan ini sudah ditutup" in closed.text
    assert any("menutup percakapan" in text for text in sent_to(channel, BUDI, before))

    before = len(channel.sent)
    [passed] = await c.siti.says("saya mau tanya soal pelatihan")
    assert "Terkirim ke" not in passed.text  # the usual way: a flag for staff
    assert sent_to(channel, BUDI, before) == []
    assert [f.reason for f in await flags(db)] == ["message"]
    assert [r.direction for r in await relays(db)] == ["to_participant"]


async def test_the_typed_word_selesai_ends_it_too(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    [closed] = await c.siti.says("Selesai")
    assert "percakapan ini sudah ditutup" in closed.text
    [again] = await c.siti.presses("relay:end")
    assert "sudah ditutup" in again.text


async def test_berhenti_stops_relays(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    await c.siti.says("/berhenti")

    [refused] = await c.budi_chat.says(f"/pesan {c.participant_id} Halo lagi")
    assert "menghentikan pesan" in refused.text and "tidak terkirim" in refused.text
    [asked] = await c.budi_chat.presses(f"staff:msg:{c.participant_id}")
    assert "menghentikan pesan" in asked.text  # told at once, not after typing
    assert [r.direction for r in await relays(db)] == ["to_participant"]

    await c.siti.says("/mulai")
    before = len(channel.sent)
    await c.siti.says("pak, saya sudah kembali")
    assert sent_to(channel, BUDI, before) == []  # the conversation ended with /berhenti


async def test_a_cry_for_help_in_a_conversation_raises_the_flag_and_reaches_the_caseworker(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    before = len(channel.sent)
    replies = await c.siti.says("saya ingin mati saja pak")
    assert any("119" in r.text for r in replies)  # the crisis answer comes first, as ever
    [flag] = await flags(db)
    assert (flag.reason, flag.urgent) == ("self_harm", True)
    [notice] = sent_to(channel, BUDI, before)
    assert "⚠️" in notice and "saya ingin mati saja pak" in notice


async def test_the_participant_never_sees_the_caseworkers_chat_id_or_phone(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    await c.siti.says("Baik pak")
    await c.siti.presses("relay:end")
    received = [reply for to, reply in channel.sent if to == SITI]
    assert any("Budi Santoso" in r.text for r in received)
    for reply in received:
        params = reply.template.params if reply.template else ()
        shown = " ".join([reply.text, *(b.title + b.payload for b in reply.buttons), *params])
        assert BUDI not in shown


async def test_only_staff_who_may_act_can_write_and_others_learn_nothing(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    [nobody] = await c.joko_chat.says("/pesan 99999 Halo")
    assert "Tidak ada peserta dengan nomor itu" in nobody.text
    for chat in (c.joko_chat, c.ani_chat):  # another organisation; a colleague (read only)
        [typed] = await chat.says(f"/pesan {c.participant_id} Halo")
        [pressed] = await chat.presses(f"staff:msg:{c.participant_id}")
        assert typed.text == pressed.text == nobody.text
    assert await relays(db) == [] and await audit_of(db, AuditAction.MESSAGE) == []

    [sent] = await c.rina_chat.says(f"/pesan {c.participant_id} Halo dari koordinator")
    assert "Terkirim ke Siti Aminah" in sent.text  # an admin of her organisation may


async def test_a_participant_pressing_a_staff_message_button_gets_the_stale_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    stale = [r.text for r in await c.siti.presses("zzz:1")]
    assert [r.text for r in await c.siti.presses(f"staff:msg:{c.participant_id}")] == stale
    unknown = [r.text for r in await c.siti.says("/xyzzy")]
    typed = [r.text for r in await c.siti.says(f"/pesan {c.participant_id} halo")]
    assert typed[0] == unknown[0].replace("xyzzy", "pesan")
    assert await relays(db) == []


async def test_a_discreet_participant_never_reads_institution_words_and_staff_are_told(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)  # signed up as a former inmate: discreet mode stays on
    [sent] = await c.budi_chat.says(f"/pesan {c.participant_id} Jangan lupa wajib lapor Senin")
    assert "mode rahasia" in sent.text
    before = len(channel.sent)
    await deliver(db, channel)
    [message] = [reply for to, reply in channel.sent[before:] if to == SITI]
    assert "Jangan lupa … Senin" in message.text and "wajib lapor" not in message.text

    [plain] = await c.budi_chat.says(f"/pesan {c.participant_id} Sampai ketemu Senin")
    assert "mode rahasia" not in plain.text


async def test_the_open_button_shows_the_message_only_to_its_owner(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Rahasia kecil: jadwal pindah")
    [relay] = await relays(db)
    other = Person(inbox, channel, address="5550002", profile_name="Dewi Lestari")
    await sign_up(other)
    [refused] = await other.presses(f"open:{relay.outbox_id}")
    assert "sudah tidak tersedia" in refused.text and "Rahasia" not in refused.text
    [shown] = await c.siti.presses(f"open:{relay.outbox_id}")
    assert "Rahasia kecil: jadwal pindah" in shown.text and "Budi Santoso" in shown.text


@pytest.mark.parametrize(
    ("status", "told"),
    [("unreachable", "memblokir bot"), ("erased", "sudah dihapus"), ("preregistered", "belum")],
)
async def test_a_participant_who_cannot_be_written_to_gets_nothing_and_staff_learn_why(
    db: Database, inbox: Inbox, channel: CollectingChannel, status: str, told: str
) -> None:
    c = await cast(db, inbox, channel)
    async with db.transaction() as tx:
        participant = await tx.get(Participant, c.participant_id)
        assert participant is not None
        participant.status = status
    [refused] = await c.budi_chat.says(f"/pesan {c.participant_id} Halo")
    assert told in refused.text and "tidak terkirim" in refused.text
    assert await relays(db) == [] and await deliver(db, channel) == 0


async def test_a_voice_note_in_a_conversation_is_announced_to_the_caseworker(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await c.budi_chat.says(f"/pesan {c.participant_id} Apa kabar?")
    await deliver(db, channel)
    before = len(channel.sent)
    answer = await c.siti.sends(Kind.VOICE)  # the hint, then the menu
    assert "Pendamping Anda sudah saya beri tahu" in answer[0].text
    [notice] = sent_to(channel, BUDI, before)
    assert "pesan suara" in notice and "Siti Aminah" in notice
    assert [f.reason for f in await flags(db)] == ["message"]
