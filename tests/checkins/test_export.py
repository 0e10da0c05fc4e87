"""The participants' export counts each person's check-ins: complete, partial, unanswered."""

from __future__ import annotations

import csv
import io

from bot.inbox import Inbox
from handlers.participants.export import write_csv
from storage.db import Database
from tests.fakes.channel import CollectingChannel
from tests.helpers.checkins import signed_up


async def test_the_export_counts_checkins_and_shows_the_last_mood(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    yusuf, _pid = await signed_up(inbox, channel, "71")
    await signed_up(inbox, channel, "72")  # never checked in
    await yusuf.says("/kabar")
    for text in ("4", "bekerja", "ya", "tidak perlu", "tidak", "lewati"):
        await yusuf.says(text)
    await yusuf.says("/kabar")
    await yusuf.says("2")  # then stops: a partial check-in
    out = io.StringIO()
    async with db.transaction() as tx:
        assert await write_csv(tx, out) == 2

    yusuf_row, other = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (yusuf_row["checkins_complete"], yusuf_row["checkins_partial"]) == ("1", "1")
    assert yusuf_row["last_mood"] == "2" and yusuf_row["last_checkin_at"]
    assert (other["checkins_complete"], other["last_checkin_at"], other["last_mood"]) == (
        "0", "", "",
    )  # fmt: skip
