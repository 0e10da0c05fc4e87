"""A WhatsApp check-in's voice note is downloaded into the media store by the media job (against
the fake Graph API), under a random name; a download that fails is tried again, then given up,
and staff are told; Telegram's are left on Telegram (their file ids last)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from handlers.flow import FlowSettings
from handlers.types import Kind
from storage.checkins.media_store import NAME
from storage.db import Database
from tests.helpers.media import (
    PARTICIPANT,
    VOICE,
    checkin_of,
    checks_in_with,
    graph_channel,
    keeper,
    office_with_caseworker,
)
from tests.helpers.two_channels import ADDRESSES, two_channels


async def test_a_whatsapp_voice_note_is_kept_under_a_random_name(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg; codecs=opus")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        assert fake.media.downloads == []  # the turn answered without waiting for a download
        done = await keeper(db, folder, whatsapp).keep_once()
        assert (done.kept, done.given_up) == (1, 0)
        assert fake.media.downloads == [media_id]
        again = await keeper(db, folder, whatsapp).keep_once()
        assert again.kept == 0 and fake.media.downloads == [media_id]  # kept once, not twice
    checkin = await checkin_of(db, pid)
    assert checkin.media_stored and checkin.media_kind == "voice"
    [name] = [p.name for p in folder.iterdir()]
    assert checkin.media_ref == name and NAME.match(name) and name.endswith(".ogg")
    assert (folder / name).read_bytes() == VOICE
    for word in (*PARTICIPANT.lower().split(), ADDRESSES["whatsapp"]):
        assert word not in name.lower()


async def test_a_failed_download_is_tried_again_and_kept_once_whatsapp_answers(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        fake.fail_media_next(times=2)
        for _minute in range(2):
            done = await keeper(db, tmp_path, whatsapp).keep_once()
            assert (done.kept, done.retried, done.given_up) == (0, 1, 0)
        done = await keeper(db, tmp_path, whatsapp).keep_once()
        assert done.kept == 1
    checkin = await checkin_of(db, pid)
    assert checkin.media_stored and checkin.media_tries == 2
    assert (tmp_path / (checkin.media_ref or "")).read_bytes() == VOICE


async def test_a_download_that_keeps_failing_is_given_up_and_staff_are_told(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    settings = FlowSettings(media_dir=folder)
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        office = await office_with_caseworker(bot, "whatsapp", "6281234567002", pid)
        fake.fail_media_next(times=10)
        waiting = await office.caseworker.presses(f"staff:media:{pid}")
        assert "masih diunduh" in waiting[-1].text and waiting[-1].media is None
        results = [await keeper(db, folder, whatsapp).keep_once() for _ in range(6)]
        assert [r.retried for r in results] == [1, 1, 1, 1, 0, 0]
        assert [r.given_up for r in results] == [0, 0, 0, 0, 1, 0]  # then never tried again
        told = await office.caseworker.presses(f"staff:media:{pid}")
    assert "tidak sempat disimpan dari WhatsApp" in told[-1].text and told[-1].media is None
    checkin = await checkin_of(db, pid)
    assert (checkin.media_tries, checkin.media_problem, checkin.media_stored) == (
        5,
        "failed",
        False,
    )
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_an_expired_media_id_is_given_up_at_once(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    async with graph_channel(db) as (_fake, whatsapp), two_channels(db, settings) as bot:
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, "4490000000999999")
        done = await keeper(db, tmp_path, whatsapp).keep_once()
    assert (done.kept, done.retried, done.given_up) == (0, 0, 1)
    checkin = await checkin_of(db, pid)
    assert (checkin.media_problem, checkin.media_tries) == ("gone", 1)


async def test_telegram_media_stay_on_telegram(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        _person, pid = await checks_in_with(bot, "telegram", Kind.VOICE, "AwACAgUAAxkBAAIB")
        done = await keeper(db, tmp_path, whatsapp).keep_once()
    assert done.kept == 0 and fake.media.downloads == []
    checkin = await checkin_of(db, pid)
    assert (checkin.media_ref, checkin.media_stored) == ("AwACAgUAAxkBAAIB", False)


async def test_a_voice_note_wakes_the_media_job_which_keeps_it_at_once(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    """The job looks every minute; a check-in that stores a voice note wakes it, so the file is
    kept while WhatsApp still serves it and the caseworker alerted now can already play it."""
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        job = keeper(db, tmp_path, whatsapp)
        bot.inbox.on_media = job.wake
        stop = asyncio.Event()
        running = asyncio.create_task(job.run(stop, every=3600))  # its own next look: an hour
        try:
            media_id = fake.media.person_sent(VOICE, "audio/ogg")
            _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
            deadline = asyncio.get_running_loop().time() + 10
            while True:  # fails the test if the job was not woken
                if (await checkin_of(db, pid)).media_stored:
                    break
                assert asyncio.get_running_loop().time() < deadline, "the voice note waits"
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=10)
    assert fake.media.downloads == [media_id]
