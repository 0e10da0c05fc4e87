"""Staff open a check-in's voice note or photo: from the card ("staff:media:<participant id>",
the latest few) or from one check-in ("staff:kmedia:<check-in id>", e.g. an alert's button).

Each is sent to the staff member's own chat: on Telegram again by file id when the participant
used Telegram, else the bytes from the media store (a WhatsApp voice note downloaded in time,
bot/media.py). Scope-checked like the card (a partner organisation sees none: check-ins are the
participant's own organisation's), audited (VIEW, detail "media")."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.cards.labels import short_when
from handlers.staff.commands import staff_button, staff_payload
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.types import Button, Media, Reply
from storage.checkins.media import checkins_with_media
from storage.checkins.media_store import MediaStore
from storage.models import Checkin, Participant

SHOWN = 3  # the latest voice notes or photos sent from the card at once
NONE_YET = N_("No voice notes or photos from check-ins yet.")
NOT_FOUND = N_("There is no check-in with that number that you can see.")


def media_button(checkin: Checkin) -> Button | None:
    """ "Dengar/lihat kabar" for one check-in's voice note or photo (e.g. under its alert), if
    it has one; pressing it checks the scope again."""
    if checkin.media_kind is None:
        return None
    return Button(_("Voice & photos"), staff_payload("kmedia", checkin.id))


async def media_of_participant(turn: Turn, staff: StaffView, argument: str) -> None:
    """The card's button: the participant's latest check-in voice notes and photos."""
    participant = await _in_scope(turn, staff, argument)
    if participant is None:
        turn.say(_("There is no participant with that number that you can see."))
        return
    found = await checkins_with_media(turn.tx, participant.id, SHOWN)
    if not found:
        turn.say(_(NONE_YET))
        return
    await _audit(turn, staff, participant)
    for checkin in reversed(found):  # oldest first: the newest ends the chat
        _send(turn, participant, checkin)


async def media_of_checkin(turn: Turn, staff: StaffView, argument: str) -> None:
    """One check-in's voice note or photo (a button on that check-in's message)."""
    checkin = await turn.tx.get(Checkin, int(argument)) if argument.isdigit() else None
    participant = None
    if checkin is not None:
        participant = await _in_scope(turn, staff, str(checkin.participant_id))
    if checkin is None or participant is None or checkin.media_kind is None:
        turn.say(_(NOT_FOUND))
        return
    await _audit(turn, staff, participant)
    _send(turn, participant, checkin)


async def _in_scope(turn: Turn, staff: StaffView, argument: str) -> Participant | None:
    participant = await participant_in_scope(turn.tx, staff, argument)
    if participant is None or participant.organisation_id != staff.organisation_id:
        return None  # a partner organisation sees no check-ins: answered as "no such"
    return participant


async def _audit(turn: Turn, staff: StaffView, participant: Participant) -> None:
    await audit_turn(
        turn,
        staff,
        AuditAction.VIEW,
        participant_id=participant.id,
        detail="media",
    )


def _send(turn: Turn, participant: Participant, checkin: Checkin) -> None:
    when = short_when(checkin.started_at, participant.timezone, turn.language)
    heading = _("Check-in of {when}").format(when=when)
    media = _media(turn, checkin)
    if isinstance(media, str):
        turn.say(heading + "\n" + media)
        return
    turn.replies.append(Reply(heading, media=media))


def _media(turn: Turn, checkin: Checkin) -> Media | str:
    """What to send, or a line saying why it cannot be."""
    kind, ref = checkin.media_kind or "voice", checkin.media_ref
    if checkin.channel == "telegram" and ref:
        if turn.incoming.channel != "telegram":
            return _("It was sent on Telegram: open the card on Telegram to play it.")
        return Media(kind, file_id=ref)
    if not checkin.media_stored or not ref:
        if checkin.media_problem is not None:
            return _("It could not be saved from WhatsApp.")
        return _("It is still being downloaded. Please try again in a minute.")
    folder = turn.settings.media_dir
    content = MediaStore(folder).read(ref) if folder is not None else None
    if content is None:
        return _("The file is no longer in the media store.")
    return Media(kind, content=content, filename=ref, mime=mime_of(kind, content))


def mime_of(kind: str, content: bytes) -> str:
    """The file's type from its first bytes (the platforms check it against what is said)."""
    if kind == "photo":
        return "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    if kind == "video":
        return "video/3gpp" if content[8:11] == b"3gp" else "video/mp4"
    if content.startswith(b"OggS"):
        return "audio/ogg"
    if content.startswith(b"ID3") or content[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if content[4:8] == b"ftyp":
        return "audio/mp4"
    if content.startswith(b"#!AMR"):
        return "audio/amr"
    return "audio/ogg"  # a voice note, as WhatsApp and Telegram record them


staff_button("media", media_of_participant)
staff_button("kmedia", media_of_checkin)
