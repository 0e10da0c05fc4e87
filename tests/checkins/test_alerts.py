"""Check-in answers that call for a caseworker raise flags; danger in any answer is heard at once;
harmless words never raise one."""

from __future__ import annotations

import pytest

from bot.inbox import Inbox
from handlers.types import Attachment, Kind
from handlers.understanding.distress import Risk, recognise
from storage.db import Database
from storage.models import CheckinStatus
from tests.fakes.channel import CollectingChannel
from tests.helpers.checkins import checkins, flags, signed_up

# The slang the check-in issue lists, each with what it signals.
SIGNALS = [
    ("saya pakai lagi kak", Risk.RELAPSE),
    ("udah make lagi 2 hari", Risk.RELAPSE),
    ("lagi sakau", Risk.RELAPSE),
    ("kemarin nyabu", Risk.RELAPSE),
    ("rasanya mau mati", Risk.SELF_HARM),
    ("pengen mati aja", Risk.SELF_HARM),
    ("kepikiran bunuh diri", Risk.SELF_HARM),
    ("mau gantung diri", Risk.SELF_HARM),
    ("saya diancam rentenir", Risk.VIOLENCE),
    ("dipukul bapak tiri", Risk.VIOLENCE),
    ("adik saya ditangkap, saya juga", Risk.ARREST),
    ("kemarin diciduk polisi", Risk.ARREST),
    # Abbreviations, slang and misspellings as people type them on a phone.
    ("pgn mati aja", Risk.SELF_HARM),
    ("mw mati", Risk.SELF_HARM),
    ("bundir aja lah", Risk.SELF_HARM),
    ("udh gk kuat lg", Risk.SELF_HARM),
    ("sy nyayat tangan", Risk.SELF_HARM),
    ("pengin mengakhiri hidup", Risk.SELF_HARM),
    ("gw make lg", Risk.RELAPSE),
    ("ngobat lagi", Risk.RELAPSE),
    ("kambuh lagi bang", Risk.RELAPSE),
    ("mabok lagi semalam", Risk.RELAPSE),
    ("digebukin orang", Risk.VIOLENCE),
    ("dikeroyok preman", Risk.VIOLENCE),
    ("ketangkep polisi", Risk.ARREST),
    ("kena razia tadi", Risk.ARREST),
    ("dibawa ke polsek", Risk.ARREST),
]
# Everyday sentences with the same words in them: none may raise an alarm.
HARMLESS = [
    "baju ini mau saya pakai lagi besok",
    "hp saya mau mati, nanti saya kabari",
    "lampu di kos mau mati terus",
    "saya kerja di bengkel las, lumayan",
    "pukul 9 saya sudah di tempat kerja",
    "tangkapan ikan hari ini banyak",
    "jualan kue di pasar",
    "sudah minum lagi obat dari puskesmas",
    "pake lagi sepatu lama",
    "motor mati mulu",
    "mati lampu di rumah",
    "ditahan dulu gajinya",
]


@pytest.mark.parametrize(("text", "risk"), SIGNALS)
def test_each_listed_signal_is_recognised(text: str, risk: Risk) -> None:
    assert recognise(text) == risk


@pytest.mark.parametrize("text", HARMLESS)
def test_everyday_words_raise_no_danger(text: str) -> None:
    assert recognise(text) not in (Risk.SELF_HARM, Risk.VIOLENCE, Risk.ARREST, Risk.RELAPSE)


async def _answer(person: object, answers: tuple[str, ...]) -> None:
    for text in answers:
        await person.says(text)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("answers", "reasons"),
    [
        (("1", "bekerja", "ya", "tidak perlu", "tidak", "lewati"), [("low_mood", True)]),
        (("3", "bekerja", "gak ada tempat tinggal", "tempat tinggal", "tidak", "lewati"),
         [("no_home", True)]),
        (("4", "bekerja", "ya", "tidak perlu", "iya", "lewati"), [("wants_contact", False)]),
        (("1", "belum ada kegiatan", "tidak", "tidak perlu", "ya", "lewati"),
         [("low_mood", True), ("no_home", True), ("wants_contact", False)]),
    ],
)  # fmt: skip
async def test_each_rule_raises_its_flag_and_the_person_is_told_kindly(
    db: Database,
    inbox: Inbox,
    channel: CollectingChannel,
    answers: tuple[str, ...],
    reasons: list[tuple[str, bool]],
) -> None:
    person, pid = await signed_up(inbox, channel, "41")
    await person.says("/kabar")
    await _answer(person, answers)
    [checkin] = await checkins(db, pid)
    assert checkin.status == CheckinStatus.COMPLETE
    assert await flags(db, pid) == [(reason, urgent, checkin.id) for reason, urgent in reasons]
    assert "Pendamping Anda akan segera menghubungi Anda" in person.last().text


async def test_answers_that_need_nobody_raise_no_flag(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await signed_up(inbox, channel, "42")
    await person.says("/kabar")
    await _answer(
        person, ("2", "cari kerja", "tidak pasti", "kerja", "tidak", "jualan kue di pasar")
    )
    assert await flags(db, pid) == []
    assert "diteruskan ke pendamping" in person.last().text


async def test_danger_at_any_question_is_answered_with_support_and_flagged_urgently(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await signed_up(inbox, channel, "43")
    await person.says("/kabar")
    [answer] = await person.says("pengen mati aja rasanya")
    assert "119" in answer.text  # the crisis line
    [checkin] = await checkins(db, pid)
    # The flag points at the check-in under way: its answers go with the alert.
    assert await flags(db, pid) == [("self_harm", True, checkin.id)]
    [again] = await person.says("1")  # the check-in carries on from the same question
    assert "kegiatan utama" in again.text.lower()


async def test_danger_in_the_last_answer_is_kept_in_the_checkin_and_flagged(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await signed_up(inbox, channel, "44")
    await person.says("/kabar")
    await _answer(person, ("3", "bekerja", "ya", "tidak perlu", "tidak"))
    await person.says("kemarin saya diciduk lagi")
    [checkin] = await checkins(db, pid)
    assert checkin.free_text == "kemarin saya diciduk lagi"
    assert ("arrest", True, checkin.id) in await flags(db, pid)


async def test_danger_in_a_voice_notes_caption_is_flagged(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await signed_up(inbox, channel, "45")
    await person.says("/kabar")
    await _answer(person, ("3", "bekerja", "ya", "tidak perlu", "tidak"))
    await person.sends(Kind.PHOTO, text="saya dipukul", attachment=Attachment("photo-1"))
    [checkin] = await checkins(db, pid)
    assert (checkin.media_kind, checkin.media_ref, checkin.free_text) == (
        "photo", "photo-1", "saya dipukul",
    )  # fmt: skip
    assert ("violence", True, checkin.id) in await flags(db, pid)
