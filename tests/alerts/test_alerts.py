"""A check-in that calls for a caseworker, or danger written anywhere, reaches the caseworker
(else the admins) at once, with everything the person answered; the organisation's rules decide
which check-in answers alert; danger always does. On Telegram and on WhatsApp."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.inbox import Inbox
from handlers.types import Attachment, Kind
from storage.db import Database
from tests.fakes.channel import CollectingChannel
from tests.helpers.alerts import (
    ADMIN,
    CASEWORKER,
    FINE,
    TROUBLED,
    all_flags,
    check_in,
    deliver,
    office,
    replies_to,
    sent_to,
)
from tests.helpers.checkins import update
from tests.helpers.cli import run_command

NOW = timedelta(0)


async def test_a_troubled_checkin_alerts_the_caseworker_once_with_every_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await check_in(place.person, TROUBLED)
    assert await deliver(db, channel, NOW) == 1  # one message for the check-in's three flags
    [alert] = replies_to(channel, CASEWORKER)
    assert f"Yusuf Latuconsina (#{place.pid})" in alert.text
    for said in (
        "sangat buruk (1 dari 5)",  # what happened: each of the three
        "tidak punya tempat tinggal yang aman",
        "minta Anda menghubunginya",
        "Suasana hati: 😞 Sangat buruk",  # and every answer
        "Kegiatan: Belum ada kegiatan",
        "Tempat tinggal aman: Tidak",
        "Bantuan yang diminta: Pekerjaan",
        "Ingin dihubungi: Ya, hubungi saya",
        "“tolong saya”",
    ):
        assert said in alert.text
    payloads = [button.payload for button in alert.buttons]
    [lead, *_others] = await all_flags(db, place.pid)
    assert payloads == [f"staff:alack:{lead.id}", f"staff:aldone:{lead.id}", f"staff:p:{place.pid}"]
    assert [button.title for button in alert.buttons] == ["Saya tangani", "Selesai", "Lihat kartu"]
    assert alert.template is not None and alert.template.key == "alert"  # outside the window
    assert alert.template.payloads == (f"staff:alshow:{lead.id}", f"staff:alack:{lead.id}")
    assert sent_to(channel, ADMIN) == []
    assert await deliver(db, channel, NOW) == 0  # sent once


async def test_a_voice_note_is_named_in_the_alert(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await check_in(place.person, TROUBLED[:5])
    await place.person.sends(Kind.VOICE, attachment=Attachment("voice-1"))
    await deliver(db, channel, NOW)
    [alert] = sent_to(channel, CASEWORKER)
    assert "Mengirim pesan suara: buka dari kartunya." in alert


@pytest.mark.parametrize(
    ("switch", "answers", "said"),
    [
        ("--mood-1", ("1", "bekerja", "ya", "tidak perlu", "tidak", "lewati"), "1 dari 5"),
        ("--no-home", ("3", "bekerja", "tidak", "tidak perlu", "tidak", "lewati"), "tempat"),
        ("--wants-contact", ("3", "bekerja", "ya", "tidak perlu", "ya", "lewati"), "menghubungi"),
    ],
)
async def test_each_rule_alerts_and_not_once_switched_off(
    db: Database,
    inbox: Inbox,
    channel: CollectingChannel,
    database_url: str,
    switch: str,
    answers: tuple[str, ...],
    said: str,
) -> None:
    place = await office(db, inbox, channel)
    await check_in(place.person, answers)
    await deliver(db, channel, NOW)
    [alert] = sent_to(channel, CASEWORKER)
    assert said in alert
    code, out, _err = await run_command(
        database_url, f"checkins alerts --org {place.org} {switch} off"
    )
    assert code == 0 and f"{switch[2:]} off" in out
    await check_in(place.person, answers)
    await deliver(db, channel, NOW)
    assert len(sent_to(channel, CASEWORKER)) == 1  # nothing new
    assert len(await all_flags(db, place.pid)) == 1


async def test_a_checkin_that_is_fine_alerts_nobody(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await check_in(place.person, FINE)
    assert await deliver(db, channel, NOW) == 0
    assert sent_to(channel, CASEWORKER) == sent_to(channel, ADMIN) == []


async def test_danger_always_alerts_even_with_every_rule_off(
    db: Database, inbox: Inbox, channel: CollectingChannel, database_url: str
) -> None:
    place = await office(db, inbox, channel)
    code, _out, _err = await run_command(
        database_url,
        f"checkins alerts --org {place.org} --mood-1 off --no-home off --wants-contact off",
    )
    assert code == 0
    await check_in(place.person, ("3", "bekerja", "ya", "tidak perlu", "tidak"))
    answers = " ".join(reply.text for reply in await place.person.says("rasanya pengen mati aja"))
    assert "119" in answers and "healing119.id" in answers  # the crisis line
    await deliver(db, channel, NOW)
    [alert] = sent_to(channel, CASEWORKER)
    assert "ingin mati atau menyakiti diri" in alert
    assert "“rasanya pengen mati aja”" in alert  # their words, once
    assert "Suasana hati: 😐 Biasa saja" in alert  # the check-in it came in


async def test_danger_in_free_text_outside_a_checkin_alerts_the_caseworker(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    [answer] = await place.person.says("saya dipukul bapak tiri semalam")
    assert "112" in answer.text
    await deliver(db, channel, NOW)
    [alert] = sent_to(channel, CASEWORKER)
    assert "kekerasan atau ancaman" in alert
    assert "“saya dipukul bapak tiri semalam”" in alert
    assert "Suasana hati" not in alert  # no check-in


async def test_a_question_for_staff_is_no_alert(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await place.person.says("kapan saya bisa ambil KTP saya ya?")
    assert await deliver(db, channel, NOW) == 0  # a flag for the digest, not an alert
    assert len(await all_flags(db, place.pid)) == 1


async def test_with_no_caseworker_the_admins_are_alerted(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel, assigned=False)
    await check_in(place.person, TROUBLED)
    await deliver(db, channel, NOW)
    assert sent_to(channel, CASEWORKER) == []
    [alert] = sent_to(channel, ADMIN)
    assert "Yusuf Latuconsina" in alert


async def test_with_no_organisation_nobody_is_alerted_in_chat_and_the_flag_waits(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await update(db, place.pid, organisation_id=None, caseworker_id=None)
    await check_in(place.person, TROUBLED)
    assert await deliver(db, channel, NOW) == 0
    waiting = {flag.reason for flag in await all_flags(db, place.pid) if flag.status == "open"}
    assert {"low_mood", "no_home", "wants_contact"} <= waiting  # `pendamping flags list`
