"""From /siaran to the phones: an admin broadcasts to one city's members of a program; exactly
that segment gets it through the outbox, each once, on their own app and in their language,
and the discreet one gets the neutral version. The figures add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.flow import FlowSettings
from handlers.reminders.rules import ReminderPolicy
from storage.broadcasts.figures import figures_of
from storage.db import Database
from storage.models import Address
from tests.helpers.broadcasts import Person, add_org, add_person, add_program, broadcast_rows
from tests.helpers.staff.chat import join_as_staff
from tests.helpers.two_channels import two_channels


async def addresses(db: Database) -> dict[int, tuple[str, str]]:
    """Each participant's (channel, address), their last message just now (WhatsApp's window
    is open)."""
    async with db.transaction() as tx:
        found = list(
            (await tx.execute(select(Address).where(Address.participant_id.is_not(None)))).scalars()
        )
        for address in found:
            address.last_inbound_at = datetime.now(UTC) - timedelta(minutes=5)
        return {a.participant_id: (a.channel, a.value) for a in found if a.participant_id}


async def test_the_segment_gets_it_once_each_on_their_app_in_their_language(
    db: Database, settings: FlowSettings
) -> None:
    org = await add_org(db, "Bapas Kelas I Jakarta")
    program = await add_program(db, org, "Las")
    bekasi = "kota-bekasi"
    plain = await add_person(db, Person(org, city_key=bekasi, programs=(program,)))
    english = await add_person(
        db, Person(org, city_key=bekasi, programs=(program,), language="en", chats=("whatsapp",))
    )
    discreet = await add_person(
        db, Person(org, city_key=bekasi, programs=(program,), discreet=True, chats=("whatsapp",))
    )
    outside = [
        await add_person(db, Person(org, city_key=bekasi)),
        await add_person(db, Person(org, city_key="kota-bogor", programs=(program,))),
    ]
    chats = await addresses(db)
    async with two_channels(db, settings) as bot:
        admin = bot.person("telegram", profile_name="Rina Admin")
        await join_as_staff(admin, db, org, role="admin", name="Rina Admin")
        for text in ("/siaran", "Pelatihan las di Bapas mulai Senin.", "Welding starts Monday."):
            await admin.says(text)
        await admin.presses("staff:bc_kind:city")
        await admin.presses(f"staff:bc_add:city/{bekasi}")
        await admin.presses("staff:bc_kind:prog")
        await admin.presses(f"staff:bc_add:prog/{program}")
        await admin.presses("staff:bc_kind:done")
        await admin.presses("staff:bc_go:neutral")
        await admin.says("Pelatihan las mulai Senin.")
        await admin.says("lewati")
        done = await admin.says("kirim")  # typed, as "Kirim sekarang"
        broadcast_id = int(done[-1].text.split("#")[1].split()[0])
        for channel in bot.channels.values():
            channel.sent.clear()

        # Sent at once, or (in the recipients' night hours) at 06.00 their time: run then.
        rows = await broadcast_rows(db, broadcast_id)
        due = max(r.due_at for r in rows)
        fast = Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
        dispatcher = Dispatcher(
            db, bot.channels, ReminderPolicy(), limiters=fast, clock=lambda: due
        )
        while await dispatcher.run_once():
            pass

        got: dict[int, list[str]] = {}
        for pid, (channel, value) in chats.items():
            got[pid] = [r.text for a, r in bot.channels[channel].sent if a == value]
    assert got[plain] == [
        "📢 <b>Pengumuman dari Bapas Kelas I Jakarta</b>\n\nPelatihan las di Bapas mulai Senin."
    ]
    assert len(got[english]) == 1 and got[english][0].endswith("Welding starts Monday.")
    assert len(got[discreet]) == 1 and got[discreet][0].endswith("\n\nPelatihan las mulai Senin.")
    assert "Bapas" not in got[discreet][0]
    assert all(got[pid] == [] for pid in outside)
    async with db.transaction() as tx:
        figures = await figures_of(tx, broadcast_id)
    assert (figures.recipients, figures.sent, figures.waiting) == (3, 3, 0)
    assert figures.adds_up()
