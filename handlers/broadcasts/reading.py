"""A typed BACA ("baca pengumuman", "read"): the announcements a participant was sent as a
WhatsApp teaser and has not opened yet, the most recent first (its Baca button does the same for
one announcement: handlers/outbox/reopen.py)."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import _
from handlers.outbox.reopen import reopen
from handlers.understanding.phrases import Phrases
from storage.broadcasts.replies import unopened_teasers

AT_MOST = 3  # announcements shown for one BACA: more would flood a small screen
READ = Phrases(("baca", "baca pengumuman", "pengumuman", "read", "read announcement"))


def asks_to_read(text: str) -> bool:
    return READ.is_whole(text)


async def read_teasers(turn: Turn) -> None:
    """Show the unopened announcements, or say kindly that there is none."""
    participant = turn.participant
    assert participant is not None
    rows = await unopened_teasers(turn.tx, participant.id, AT_MOST)
    if not rows:
        turn.say(_("There is no new announcement for you right now. 🙂"))
        return
    before = len(turn.replies)
    for row in rows:  # rendering it again marks it opened (handlers/broadcasts/kinds.py)
        await reopen(turn, str(row.id))
    shown = turn.replies[before:]
    del turn.replies[before:]
    # One message, the most recent first: a few announcements, not a burst of messages.
    turn.say("\n\n➖➖➖\n\n".join(reply.text for reply in shown))
