"""Conversation state lives in the database: a restart mid sign-up resumes where it was."""

from __future__ import annotations

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person


async def test_restart_in_the_middle_of_sign_up_resumes(
    database_url: str, settings: FlowSettings
) -> None:
    from storage import migrate

    first = Database(database_url)
    await migrate.upgrade(first)
    channel = CollectingChannel()
    inbox = Inbox(first, settings, {channel.name: channel})
    before = Person(inbox, channel, profile_name="Siti")
    await before.says("halo")
    await before.says("setuju")
    await before.presses("name:yes")
    await before.says("remaja")
    replies = await before.says("kota pekalongan")
    assert "Kota Pekalongan, Jawa Tengah" in replies[-1].text
    await inbox.close()
    await first.dispose()  # the process stops here

    second = Database(database_url)
    channel = CollectingChannel()
    inbox = Inbox(second, settings, {channel.name: channel})
    after = Person(inbox, channel, profile_name="Siti")
    replies = await after.says("iya benar")
    assert replies[-1].share_phone is not None  # the phone question: the next step, nothing lost
    await inbox.close()
    await second.dispose()
