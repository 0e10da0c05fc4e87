"""Conversation state lives in the database: a restart mid sign-up resumes where it was."""

from __future__ import annotations

from bot.inbox import Inbox
from handlers.flow import Settings
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person


async def test_restart_in_the_middle_of_sign_up_resumes(
    database_url: str, settings: Settings
) -> None:
    from storage import migrate

    first = Database(database_url)
    await migrate.upgrade(first)
    channel = CollectingChannel()
    before = Person(Inbox(first, settings, {channel.name: channel}), channel, profile_name="Siti")
    await before.says("halo")
    await before.says("setuju")
    await before.presses("name:yes")
    await before.says("remaja")
    replies = await before.says("kota pekalongan")
    assert "Kota Pekalongan, Jawa Tengah" in replies[-1].text
    await first.dispose()  # the process dies here

    second = Database(database_url)
    channel = CollectingChannel()
    after = Person(Inbox(second, settings, {channel.name: channel}), channel, profile_name="Siti")
    replies = await after.says("iya benar")
    assert replies[-1].share_phone is not None  # the phone question: the next step, nothing lost
    await second.dispose()
