"""A participant who answers a broadcast is heard: a kind acknowledgement in their language, the
answer on their card and in their caseworker's digest; a cry for help is still heard first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.inbox import Inbox
from storage.db import Database
from storage.models import BroadcastReply, FlagReason, ScheduledMessage
from tests.fakes.channel import CollectingChannel
from tests.helpers.broadcast_rows import add_broadcast, rows_of
from tests.helpers.relay import SITI, cast, deliver, flags, sent_to

ANNOUNCEMENT = "Pelatihan las angkatan baru mulai Senin 8 Desember di BLK Pekalongan."
ANSWER = "Saya mau ikut pak, <daftarnya> di mana?"


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def replies(db: Database) -> list[BroadcastReply]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(BroadcastReply))).scalars())


async def test_an_answer_is_acknowledged_and_shown_on_the_card_and_in_the_digest(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    bid = await add_broadcast(db, c.org, c.rina, [c.participant_id], text=ANNOUNCEMENT)
    assert await deliver(db, channel) == 1
    [announced] = sent_to(channel, SITI)[-1:]
    assert ANNOUNCEMENT in announced

    [thanked] = await c.siti.says(ANSWER)
    assert thanked.text == "Terima kasih atas balasan Anda. Pendamping Anda akan membacanya."
    [kept] = await replies(db)
    assert (kept.broadcast_id, kept.participant_id, kept.text) == (bid, c.participant_id, ANSWER)
    assert await flags(db) == []  # kept for the caseworker, not a canned "noted" and forgotten

    [card] = await c.budi_chat.says(f"/peserta {c.participant_id}")
    assert "Balasan untuk pengumuman" in card.text
    assert "Saya mau ikut pak, &lt;daftarnya&gt; di mana?" in card.text  # escaped, as typed
    digest = "\n".join(reply.text for reply in await c.budi_chat.says("/ringkasan"))
    assert "Balasan untuk pengumuman" in digest
    assert f"#{c.participant_id} Siti" in digest and "&lt;daftarnya&gt;" in digest


async def test_a_cry_for_help_after_a_broadcast_still_gets_the_crisis_answer_and_an_urgent_flag(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    await add_broadcast(db, c.org, c.rina, [c.participant_id], text=ANNOUNCEMENT)
    await deliver(db, channel)
    answers = await c.siti.says("udh gk kuat pgn mati aja")
    assert not any("Pendamping Anda akan membacanya" in a.text for a in answers)
    assert any("Pendamping akan menghubungi Anda" in a.text for a in answers)  # the crisis answer
    [flag] = await flags(db)
    assert flag.reason == FlagReason.SELF_HARM and flag.urgent


async def test_free_text_days_after_a_broadcast_is_passed_on_as_any_message(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    bid = await add_broadcast(db, c.org, c.rina, [c.participant_id], text=ANNOUNCEMENT)
    await deliver(db, channel)
    async with db.transaction() as tx:
        await tx.execute(
            update(ScheduledMessage)
            .where(ScheduledMessage.broadcast_id == bid)
            .values(sent_at=datetime.now(UTC) - timedelta(days=4))
        )
    [told] = await c.siti.says("Pak, kapan jadwal konseling saya?")
    assert "Pesan Anda sudah saya teruskan ke pendamping Anda" in told.text
    assert await replies(db) == []
    assert [f.reason for f in await flags(db)] == [FlagReason.MESSAGE]


async def test_the_announcement_names_no_institution_for_a_discreet_recipient(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """Siti chose discreet mode; her organisation is a Bapas: her lock screen must not say so,
    neither in the message nor in the WhatsApp teaser that stands for it outside the window."""
    c = await cast(db, inbox, channel)
    bid = await add_broadcast(
        db, c.org, c.rina, [c.participant_id], text="Wajib lapor ke Bapas pindah ke hari Kamis.",
        neutral_text="Jadwal pertemuan pindah ke hari Kamis.",
    )  # fmt: skip
    await deliver(db, channel)
    [message] = [reply for to, reply in channel.sent if to == SITI][-1:]
    assert "Bapas" not in message.text and "Wajib lapor" not in message.text
    assert "Ada pengumuman untuk Anda" in message.text
    assert "Jadwal pertemuan pindah ke hari Kamis." in message.text
    assert message.template is not None and message.template.key == "broadcast"
    assert message.template.params == ("program pendampingan Anda",)
    [row] = await rows_of(db, bid)
    assert message.template.payloads == (f"open:{row.id}",)


async def test_a_typed_baca_with_nothing_unread_gets_a_kind_short_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """The announcement came in full (the person wrote lately): BACA has nothing more to show,
    and is not kept as an answer to it."""
    c = await cast(db, inbox, channel)
    await add_broadcast(db, c.org, c.rina, [c.participant_id], text=ANNOUNCEMENT)
    await deliver(db, channel)
    [answer] = await c.siti.says("BACA")
    assert answer.text == "Belum ada pengumuman baru untuk Anda. 🙂"
    assert await replies(db) == []
