"""The real bot on Telegram and WhatsApp against their fakes: an admin invited from the command
line opens the Telegram deep link, gets the staff command menu in that chat only, invites a
caseworker from the chat, who joins on WhatsApp; revoked, each loses it all at their next
message, and the admin's Telegram chat gets the participants' command menu back."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage import migrate
from storage.db import Database
from storage.models import Address, Staff
from tests.fakes.telegram import FakeTelegramAPI, FakeUser
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.staff.chat import add_organisation, audit_rows, make_invite
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings


async def chat_menu_set(telegram: FakeTelegramAPI, chat_id: int) -> dict[str, Any]:
    """The next setMyCommands (or deleteMyCommands) call for this chat's own scope."""
    while True:
        params = await telegram.wait_for_call("setmycommands", timeout=10)
        if str(chat_id) in str(params.get("scope")):
            return params


async def turn_of(user: FakeUser, count: int) -> list[str]:
    return [(await user.next_message(timeout=10))["text"] for _ in range(count)]


async def test_an_admin_joins_on_telegram_and_invites_a_caseworker_who_joins_on_whatsapp(
    database_url: str,
) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    org = await add_organisation(db, "Rutan Pekalongan")
    code = await make_invite(db, org, now=datetime.now(UTC), role="admin", name="Budi Santoso")
    await db.dispose()
    async with graph_api() as fake, FakeTelegramAPI() as telegram:
        budi = telegram.user(7001, first_name="Budi")
        settings = whatsapp_settings(
            fake,
            database_url,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.url,
            telegram_process="same",
        )
        async with running_bot(settings, fake) as bot:
            await telegram.wait_for_call("getupdates", timeout=15)
            default_menu = telegram.menu_of(budi.chat_id)
            assert "jadwal" in default_menu

            budi.send_text(f"/start {code}")  # the deep link t.me/<bot>?start=<code>
            asked = await budi.next_message(timeout=10)
            assert "Budi Santoso" in asked["text"]
            budi.press("claim:yes", asked["message_id"])
            [welcome] = await turn_of(budi, 1)
            assert "Selamat bergabung, Budi Santoso" in welcome
            await chat_menu_set(telegram, budi.chat_id)
            assert telegram.menu_of(budi.chat_id) == [
                "menu", "peserta", "rujuk", "gantinomor", "undang", "staf", "mitra", "impor",
                "audit", "bantuan",
            ]  # fmt: skip
            assert telegram.menu_of(9999) == default_menu  # other chats keep the usual menu

            budi.send_text("/undang")
            role = await budi.next_message(timeout=10)
            budi.press("staff:invite_role:caseworker", role["message_id"])
            await budi.next_message(timeout=10)
            budi.send_text("Sari Wulandari")
            made = (await budi.next_message(timeout=10))["text"]
            found = re.search(r"\bK[2-9A-Z]{9}\b", made)
            assert found is not None, made
            sari_code = found.group(0)

            sari = Phone(bot, WhatsAppUser(phone="6281234567002", name="Sari"))
            [confirm] = await sari.says(f"KODE {sari_code}")  # the click-to-chat text
            assert "Sari Wulandari" in confirm.text and titles(confirm) == ["Ya", "Bukan"]
            [joined] = await sari.taps("Ya")
            assert "Selamat bergabung, Sari Wulandari" in joined.text
            assert titles(joined) == ["Peserta", "Rujukan", "Nomor baru"]
            [listed] = await sari.taps("Peserta")
            assert "Belum ada peserta" in listed.text

            budi.send_text("/staf")
            team = await budi.next_message(timeout=10)
            assert "Sari Wulandari" in team["text"]
            revoke = next(
                key["callback_data"]
                for row in team["reply_markup"]["inline_keyboard"]
                for key in row
                if key["callback_data"].startswith("staff:revoke:")
            )
            budi.press(revoke, team["message_id"])
            confirm_revoke = await budi.next_message(timeout=10)
            yes = confirm_revoke["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            budi.press(yes, confirm_revoke["message_id"])
            assert "tidak lagi punya akses staf" in (await budi.next_message(timeout=10))["text"]

            [ended] = await sari.says("PESERTA")
            assert "Akses staf Anda sudah berakhir" in ended.text
            stranger = await sari.says("halo")  # now a stranger: sign-up as anyone
            assert any("setuju" in received.text.lower() for received in stranger)

            async with bot.db.transaction() as tx:  # Budi revoked too (as the command line does)
                admin = (await tx.execute(select(Staff).where(Staff.role == "admin"))).scalar_one()
                admin.status = "revoked"
            budi.send_text("/staf")
            ended_on_telegram = await budi.next_message(timeout=10)
            assert "Akses staf Anda sudah berakhir" in ended_on_telegram["text"]
            await telegram.wait_for_call("deletemycommands", timeout=10)
            assert telegram.menu_of(budi.chat_id) == default_menu  # the participants' menu again

            async with bot.db.transaction() as tx:
                people = list((await tx.execute(select(Staff).order_by(Staff.id))).scalars())
                chats = list((await tx.execute(select(Address).order_by(Address.id))).scalars())
            assert [(s.name, s.role, s.status) for s in people] == [
                ("Budi Santoso", "admin", "revoked"),
                ("Sari Wulandari", "caseworker", "revoked"),
            ]
            assert [(a.channel, a.staff_id) for a in chats] == [
                ("telegram", None),
                ("whatsapp", None),
            ]
            actions = [(r.action, r.channel, r.staff_id) for r in await audit_rows(bot.db)]
    budi_id, sari_id = people[0].id, people[1].id
    assert actions == [
        ("claim", "telegram", budi_id),
        ("invite", "telegram", budi_id),
        ("claim", "whatsapp", sari_id),
        ("search", "whatsapp", sari_id),
        ("revoke", "telegram", budi_id),
    ]
