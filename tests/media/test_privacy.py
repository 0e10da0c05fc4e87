"""Check-in media are private: staff of another organisation forging the payloads get nothing
(answered as "no such"), a caseworker opens one check-in's by its id, erasure deletes the file
from disk at the media job's next run, and so does a check-in that goes (retention)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from handlers.flow import FlowSettings
from handlers.staff.cards.media import media_button
from handlers.types import Kind
from storage.db import Database
from storage.models import Checkin
from tests.helpers.media import (
    VOICE,
    checkin_of,
    checks_in_with,
    graph_channel,
    keeper,
    media_views,
    office_with_caseworker,
)
from tests.helpers.staff.chat import add_organisation, join_as_staff
from tests.helpers.two_channels import two_channels


async def test_another_organisations_staff_forging_the_payload_get_nothing(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    settings = FlowSettings(media_dir=folder)
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        await keeper(db, folder, whatsapp).keep_once()
        office = await office_with_caseworker(bot, "telegram", "7001", pid)
        checkin = await checkin_of(db, pid)
        other_org = await add_organisation(db, "Lapas Kelas IIA Ambon")
        stranger = bot.person("whatsapp", address="6281299990000", profile_name="Rudi")
        await join_as_staff(stranger, db, other_org, name="Rudi Hartono")
        for payload in (f"staff:media:{pid}", f"staff:kmedia:{checkin.id}"):
            [refused] = await stranger.presses(payload)
            assert refused.media is None and "yang bisa Anda lihat" in refused.text
        assert await media_views(db) == []
        [own] = await office.caseworker.presses(f"staff:kmedia:{checkin.id}")
        assert own.media is not None and own.media.content == VOICE
        [none] = await office.caseworker.presses(f"staff:kmedia:{checkin.id + 99}")
        assert none.media is None and "Tidak ada kabar dengan nomor itu" in none.text
    assert await media_views(db) == [("view", pid, "media")]


async def test_erasure_deletes_the_voice_note_from_disk(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg")
        person, _pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        await keeper(db, folder, whatsapp).keep_once()
        other_id = fake.media.person_sent(b"OggS-other", "audio/ogg")
        _other, other_pid = await checks_in_with(
            bot, "whatsapp", Kind.VOICE, other_id, address="6281355556666"
        )
        await keeper(db, folder, whatsapp).keep_once()
        assert len(list(folder.iterdir())) == 2
        await person.says("/hapus")
        replies = await person.presses("erase:yes")
        assert "sudah dihapus" in replies[-1].text
        done = await keeper(db, folder, whatsapp).keep_once()
    assert done.deleted == 1
    kept = (await checkin_of(db, other_pid)).media_ref
    assert [p.name for p in folder.iterdir()] == [kept]  # the other person's stays
    assert (folder / str(kept)).read_bytes() == b"OggS-other"
    assert not any(p.read_bytes() == VOICE for p in folder.iterdir())


async def test_a_check_in_deleted_by_retention_takes_its_file_along(
    db: Database, settings: FlowSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        await keeper(db, folder, whatsapp).keep_once()
        assert len(list(folder.iterdir())) == 1
        async with db.transaction() as tx:
            await tx.execute(delete(Checkin).where(Checkin.participant_id == pid))
        done = await keeper(db, folder, whatsapp).keep_once()
    assert done.deleted == 1 and list(folder.iterdir()) == []


async def test_a_check_ins_own_button_opens_its_voice_note(
    db: Database, settings: FlowSettings
) -> None:
    async with two_channels(db, settings) as bot:
        _person, pid = await checks_in_with(bot, "telegram", Kind.VOICE, "AwACAgUAAxkBAAIB")
        office = await office_with_caseworker(bot, "telegram", "7001", pid)
        checkin = await checkin_of(db, pid)
        button = media_button(checkin)
        assert button is not None and button.title == "Dengar/lihat kabar"
        [played] = await office.caseworker.presses(button.payload)
    assert played.media is not None and played.media.file_id == "AwACAgUAAxkBAAIB"
