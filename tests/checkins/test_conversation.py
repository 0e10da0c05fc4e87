"""The check-in conversation: buttons, typed words, emoji, a voice note, a sticker, resuming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from handlers.types import Attachment, Kind
from storage.db import Database
from storage.models import Address, CheckinStatus
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.checkins import checkins, flags, needs, signed_up
from tests.helpers.reminders import participant_id, register
from tests.helpers.two_channels import two_channels


async def test_a_checkin_with_buttons_is_stored_in_its_columns(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "31")
    [intro, mood] = await yusuf.says("/kabar")
    assert "Terima kasih" in intro.text
    assert "1 (sangat buruk) sampai 5 (sangat baik)" in mood.text
    assert [b.title for b in mood.buttons] == [
        "😞 Sangat buruk", "🙁 Kurang baik", "😐 Biasa saja", "🙂 Baik", "😄 Sangat baik",
    ]  # fmt: skip
    [activity] = await yusuf.presses("ci_mood:4")
    assert [b.payload for b in activity.buttons][:2] == ["ci_act:work", "ci_act:business"]
    [housing] = await yusuf.presses("ci_act:training")
    assert [b.title for b in housing.buttons] == ["Ya", "Tidak", "Tidak pasti"]
    [help_question] = await yusuf.presses("ci_home:yes")
    assert len(help_question.buttons) == 9  # eight kinds of help and "Selesai": a WhatsApp list
    await yusuf.presses("ci_help:work")
    await yusuf.presses("ci_help:documents")
    [contact] = await yusuf.presses("ci_help:done")
    assert "ingin dihubungi oleh pendamping" in contact.text
    [note] = await yusuf.presses("ci_call:no")
    assert [b.title for b in note.buttons] == ["Lewati"]
    [thanks] = await yusuf.presses("ci_note:skip")
    assert "diteruskan ke pendamping" in thanks.text

    [checkin] = await checkins(db, pid)
    assert (checkin.status, checkin.mood, checkin.activity, checkin.housing) == (
        CheckinStatus.COMPLETE, 4, "training", "yes",
    )  # fmt: skip
    assert checkin.wants_contact is False and checkin.free_text is None
    assert checkin.channel == "fake" and checkin.finished_at is not None
    assert await needs(db, checkin.id) == ["work", "documents"]
    assert await flags(db, pid) == []  # nothing in these answers calls for a caseworker


async def test_typed_answers_and_emoji_work_as_well_as_buttons(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "32")
    await yusuf.says("KABAR")
    await yusuf.says("😊")
    await yusuf.says("lagi cari kerja")
    await yusuf.says("iya")
    await yusuf.says("modal usaha dan ktp")
    await yusuf.says("gak")
    await yusuf.says("Saya sudah mulai jualan kue di pasar")
    [checkin] = await checkins(db, pid)
    assert (checkin.mood, checkin.activity, checkin.housing, checkin.wants_contact) == (
        4, "looking", "yes", False,
    )  # fmt: skip
    assert await needs(db, checkin.id) == ["capital", "documents"]
    assert checkin.free_text == "Saya sudah mulai jualan kue di pasar"
    assert checkin.status == CheckinStatus.COMPLETE


async def test_numbers_and_slang_answer_each_question(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "33")
    await yusuf.says("/kabar")
    for text in ("5", "1", "tdk", "tidak perlu", "y", "tidak ada"):
        await yusuf.says(text)
    [checkin] = await checkins(db, pid)
    assert (checkin.mood, checkin.activity, checkin.housing, checkin.wants_contact) == (
        5, "work", "no", True,
    )  # fmt: skip
    assert await needs(db, checkin.id) == ["none"]
    assert checkin.free_text is None and checkin.status == CheckinStatus.COMPLETE


async def test_a_voice_note_as_the_last_answer_is_kept_with_its_reference(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "34")
    await yusuf.says("/kabar")
    for text in ("3", "sekolah", "ya", "tidak perlu", "nggak"):
        await yusuf.says(text)
    [thanks] = await yusuf.sends(Kind.VOICE, attachment=Attachment("AwACAgUAAxkBAAIBQ2"))
    assert "diteruskan ke pendamping" in thanks.text
    [checkin] = await checkins(db, pid)
    assert (checkin.media_kind, checkin.media_ref) == ("voice", "AwACAgUAAxkBAAIBQ2")
    assert checkin.activity == "school" and checkin.status == CheckinStatus.COMPLETE


async def test_a_sticker_mid_way_is_answered_kindly_and_the_question_asked_again(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "35")
    await yusuf.says("/kabar")
    await yusuf.says("4")
    [kind_word, again] = await yusuf.sends(Kind.STICKER)
    assert "stiker" in kind_word.text.lower()
    assert "kegiatan utama" in again.text.lower()
    [housing] = await yusuf.says("bekerja")
    assert "tempat tinggal" in housing.text
    [checkin] = await checkins(db, pid)
    assert (checkin.mood, checkin.activity) == (4, "work")


async def test_a_checkin_left_half_way_continues_where_it_stopped(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "36")
    await yusuf.says("/kabar")
    await yusuf.says("2")
    await yusuf.says("/jadwal")  # wanders off
    [partial] = await checkins(db, pid)
    assert partial.status == CheckinStatus.PARTIAL and partial.mood == 2
    [again, activity] = await yusuf.says("/kabar")
    assert "lanjutkan" in again.text
    assert "kegiatan utama" in activity.text.lower()
    for text in ("belum ada kegiatan", "tidak pasti", "keluarga", "ya", "lewati"):
        await yusuf.says(text)
    [done] = await checkins(db, pid)  # the same check-in, finished: not a second one
    assert (done.id, done.status, done.activity, done.housing) == (
        partial.id, CheckinStatus.COMPLETE, "none", "unsure",
    )  # fmt: skip


async def test_after_a_day_a_half_done_checkin_stays_partial_and_a_new_one_begins(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "37")
    await yusuf.says("/kabar")
    await yusuf.says("2")
    later = datetime.now(UTC) + timedelta(days=1, hours=1)
    [_intro, mood] = await yusuf.sends(
        Kind.COMMAND, text="/kabar", command="kabar", received_at=later
    )
    assert "1 (sangat buruk)" in mood.text
    old, new = await checkins(db, pid)
    assert (old.status, old.mood) == (CheckinStatus.PARTIAL, 2)  # counted as partial, not lost
    assert (new.status, new.mood) == (CheckinStatus.PARTIAL, None)


@pytest.mark.parametrize("channel_name", ["telegram", "whatsapp"])
async def test_the_same_checkin_on_telegram_and_on_whatsapp(
    db: Database, settings: FlowSettings, channel_name: str
) -> None:
    async with two_channels(db, settings) as bot:
        person = bot.person(channel_name, profile_name="Yusuf Latuconsina")
        await register(person, "kota ambon")
        pid = await participant_id(db, person.address)
        await person.says("KABAR")
        for text in ("2", "usaha sendiri", "tidak pasti"):
            await person.says(text)
        await person.presses("ci_help:capital")
        await person.presses("ci_help:done")
        await person.presses("ci_call:yes")
        await person.sends(Kind.VOICE, attachment=Attachment(f"{channel_name}-voice-1"))
    [checkin] = await checkins(db, pid)
    assert (checkin.channel, checkin.mood, checkin.activity, checkin.housing) == (
        channel_name, 2, "business", "unsure",
    )  # fmt: skip
    assert checkin.media_ref == f"{channel_name}-voice-1" and checkin.wants_contact is True
    assert await needs(db, checkin.id) == ["capital"]


async def test_kabar_before_signing_up_says_so_and_keeps_no_trace(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    stranger = Person(inbox, channel, address="39")
    [reply] = await stranger.says("/kabar")
    assert "Anda belum terdaftar" in reply.text
    async with db.transaction() as tx:
        assert await tx.scalar(select(func.count()).select_from(Address)) == 0


async def test_a_voice_note_mid_way_is_kept_and_the_question_asked_again(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, pid = await signed_up(inbox, channel, "38")
    await yusuf.says("/kabar")
    await yusuf.says("2")
    [kept, again] = await yusuf.sends(Kind.VOICE, attachment=Attachment("voice-mid-way"))
    assert "sudah saya simpan untuk pendamping" in kept.text
    assert "kegiatan utama" in again.text.lower()
    [checkin] = await checkins(db, pid)
    assert (checkin.media_kind, checkin.media_ref, checkin.activity) == (
        "voice", "voice-mid-way", None,
    )  # fmt: skip
