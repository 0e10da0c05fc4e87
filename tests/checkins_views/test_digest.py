"""The digest's check-in sections, with a clock we control: open alerts before everything else
(repeated every day until resolved), each check-in told once with its mood, trend arrow and
flags, and the people who stopped answering told once, and again only after they came back and
stopped again; never a colleague's or another organisation's people."""

from __future__ import annotations

import pytest

from handlers.types import Reply
from storage.db import Database
from tests.fakes.channel import CollectingChannel
from tests.helpers.cards import flag
from tests.helpers.checkin_views import add_checkin, resolve_flags
from tests.helpers.digest import add_org, add_person, add_staff, plan, seat, session, utc
from tests.helpers.reminders import Clock, dispatcher

LONG_AGO = utc(2026, 10, 1, 3, 0)
SUNDAY_EVENING = utc(2026, 11, 29, 13, 0)  # 20.00 WIB: the planner's run before Monday
MONDAY_7_WIB = utc(2026, 11, 30, 0, 0)
TUESDAY_7_WIB = utc(2026, 12, 1, 0, 0)
WEDNESDAY_7_WIB = utc(2026, 12, 2, 0, 0)
THURSDAY_7_WIB = utc(2026, 12, 3, 0, 0)


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def morning(db: Database, channel: CollectingChannel, planned: object, at: object) -> str:
    """Plan at `planned`, send what is due at `at`: Budi's digest."""
    await plan(db, planned)  # type: ignore[arg-type]
    channel.sent.clear()
    await dispatcher(db, channel, Clock(at)).run_once()  # type: ignore[arg-type]
    sent: dict[str, Reply] = dict(channel.sent)
    return sent["9001"].text


def section(text: str, heading: str) -> str:
    start = text.index(f"<b>{heading}</b>")
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else len(text)]


async def test_alerts_come_first_check_ins_once_and_the_silent_once_until_they_stop_again(
    db: Database, channel: CollectingChannel
) -> None:
    org = await add_org(db, "Bapas Ambon")
    other = await add_org(db, "Bapas Semarang")
    budi = await add_staff(db, org, "Budi Santoso", address="9001", channel=channel.name)
    rina = await add_staff(db, org, "Rina Wulandari", address="9002", channel=channel.name)

    async def person(name: str, organisation: int = org, caseworker: int = budi) -> int:
        return await add_person(db, name, organisation, caseworker, now=LONG_AGO)

    siti = await person("Siti Aminah")
    agus = await person("Agus Pratama")
    joko = await person("Joko Susilo")
    yanto = await person("Yanto Kurnia")
    tono = await person("Tono Wijaya", caseworker=rina)
    dewi = await person("Dewi Sartika", organisation=other)  # even with Budi's id as caseworker
    sunday = utc(2026, 11, 29, 2, 0)
    await add_checkin(db, siti, utc(2026, 11, 15, 2, 0), mood=3)
    await add_checkin(db, siti, sunday, mood=1, housing="no", flags=("low_mood", "no_home"))
    await add_checkin(db, agus, utc(2026, 11, 15, 2, 0), mood=2)
    await add_checkin(db, agus, sunday, mood=4, activity="work")
    await add_checkin(db, joko, utc(2026, 11, 16, 2, 0), status="expired")
    await add_checkin(db, joko, utc(2026, 11, 23, 2, 0), status="expired")
    await flag(db, yanto, urgent=True)  # danger in a message, no check-in
    for stranger in (tono, dewi):
        await add_checkin(db, stranger, sunday, mood=1, flags=("low_mood",))
    tuesday = await session(db, org, "Pelatihan Las", utc(2026, 12, 1, 2, 0))
    await seat(db, siti, tuesday, rsvp="no", at=utc(2026, 11, 28, 3, 0))

    text = await morning(db, channel, SUNDAY_EVENING, MONDAY_7_WIB)

    alerts = section(text, "Peringatan terbuka")
    assert alerts.split("\n")[1:] == [
        f"• ⚠️ #{siti} Siti: merasa sangat buruk, tidak punya tempat tinggal aman",
        f"• ⚠️ #{yanto} Yanto: mungkin ingin menyakiti diri",
    ]
    order = [
        text.index("<b>Peringatan terbuka</b>"),
        text.index(f"#{siti} Siti tidak bisa datang"),  # the digest's first section before
        text.index("<b>Kabar sejak ringkasan terakhir</b>"),
        text.index("<b>Tidak merespons kabar</b>"),
    ]
    assert order == sorted(order)
    checkins = section(text, "Kabar sejak ringkasan terakhir")
    assert (
        f"• #{siti} Siti · 😞 1 ↓ · ⚠️ merasa sangat buruk, tidak punya tempat tinggal aman"
        in checkins
    )
    assert f"• #{agus} Agus · 🙂 4 ↑\n" in checkins + "\n"
    quiet = section(text, "Tidak merespons kabar")
    assert f"• #{joko} Joko tidak menjawab dua kabar terakhir" in quiet
    for stranger in ("Tono", "Dewi"):
        assert stranger not in text

    # Monday: Yanto's alert is dealt with, Agus checks in again; Siti's alerts stay open.
    await resolve_flags(db, yanto, utc(2026, 11, 30, 3, 0))
    await add_checkin(db, agus, utc(2026, 11, 30, 4, 0), mood=5)
    text = await morning(db, channel, utc(2026, 11, 30, 13, 0), TUESDAY_7_WIB)
    assert f"⚠️ #{siti} Siti: merasa sangat buruk" in section(text, "Peringatan terbuka")
    assert "Yanto" not in text
    assert section(text, "Kabar sejak ringkasan terakhir").split("\n")[1:] == [
        f"• #{agus} Agus · 😄 5 ↑"
    ]  # Sunday's were told yesterday
    assert "Joko" not in text and "Tidak merespons" not in text  # told once

    # Tuesday: Joko answers. Then two check-ins go unanswered again: news again.
    await add_checkin(db, joko, utc(2026, 12, 1, 4, 0), mood=3)
    text = await morning(db, channel, utc(2026, 12, 1, 13, 0), WEDNESDAY_7_WIB)
    assert f"• #{joko} Joko · 😐 3" in section(text, "Kabar sejak ringkasan terakhir")
    assert "Tidak merespons" not in text
    await add_checkin(db, joko, utc(2026, 12, 2, 1, 0), status="expired")
    await add_checkin(db, joko, utc(2026, 12, 2, 2, 0), status="expired")
    text = await morning(db, channel, utc(2026, 12, 2, 13, 0), THURSDAY_7_WIB)
    assert f"• #{joko} Joko tidak menjawab dua kabar terakhir" in section(
        text, "Tidak merespons kabar"
    )


async def test_an_admin_digest_counts_check_in_alerts_per_caseworker(
    db: Database, channel: CollectingChannel
) -> None:
    org = await add_org(db, "Bapas Ambon")
    await add_staff(db, org, "Pak Harto", address="9001", channel=channel.name, role="admin")
    rina = await add_staff(db, org, "Rina Wulandari", address="9002", channel=channel.name)
    siti = await add_person(db, "Siti Aminah", org, rina, now=LONG_AGO)
    await add_checkin(db, siti, utc(2026, 11, 29, 2, 0), mood=2, wants_contact=True,
                      flags=("wants_contact",))  # fmt: skip

    text = await morning(db, channel, SUNDAY_EVENING, MONDAY_7_WIB)

    assert f"• #{siti} Siti: minta dihubungi" in section(text, "Peringatan terbuka")
    assert "Rina Wulandari: 1" in text  # the alert needs attention, counted once per line
    assert text.index("<b>Peringatan terbuka</b>") < text.index("<b>Kabar sejak")
