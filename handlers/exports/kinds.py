"""What can be exported: each kind is its columns and an async function giving its lines.
Adding a kind (notes) is one function and one entry in `EXPORT_KINDS`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checkins.questions import ACTIVITIES, CONTACT, HOUSING, NEEDS
from handlers.exports.scope import ExportScope
from handlers.exports.sheet import CellKind, Column, Line
from handlers.i18n import N_, _
from handlers.participants.labels import CATEGORIES, CONTACT_TIMES, INTERESTS
from handlers.reminders.rsvp import DAYS
from handlers.staff.cards.checkins import in_order
from handlers.staff.cards.labels import STATUSES
from storage.checkins.views import checkin_rows, split_needs
from storage.models import ParticipantStatus
from storage.staff.exports import meeting_rows, note_rows, participant_rows

Lines = Callable[[AsyncSession, ExportScope], AsyncIterator[Line]]


@dataclass(frozen=True)
class ExportKind:
    name: str  # as typed on the command line and carried in button payloads: "attendance"
    title: str  # English source (N_): its button and its sheet's name (at most 20 characters)
    filename: str  # English source (N_) of the file name's start: "attendance"
    columns: tuple[Column, ...]
    lines: Lines
    about: str  # for `pendamping export --help` (operators read English)


def _label(table: dict[str, Any], code: str | None) -> str | None:
    """A stored code's title in the current language (the code itself if it has none)."""
    if code is None:
        return None
    entry = table.get(code)
    if entry is None:
        return code
    return _(entry[0] if isinstance(entry, tuple) else entry)


class Labels:
    """`_label`, remembered for one export: a code's title is looked up once, not per row."""

    def __init__(self, table: dict[str, Any]) -> None:
        self._table = table
        self._seen: dict[str | None, str | None] = {}

    def __call__(self, code: str | None) -> str | None:
        if code not in self._seen:
            self._seen[code] = _label(self._table, code)
        return self._seen[code]


CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}

PARTICIPANT_COLUMNS = (
    Column(N_("ID"), CellKind.NUMBER, 8),
    Column(N_("Name"), width=26, personal=True),
    Column(N_("Status"), width=16),
    Column(N_("Phone"), width=17, personal=True),
    Column(N_("City"), width=24, personal=True),
    Column(N_("Province"), width=20),
    Column(N_("Category"), width=22),
    Column(N_("Interests"), width=36, personal=True),
    Column(N_("Best time to contact"), width=20, personal=True),
    Column(N_("Language"), width=9),
    Column(N_("Organisation"), width=28),
    Column(N_("Caseworker"), width=22),
    Column(N_("Release date"), CellKind.DATE, 13, personal=True),
    Column(N_("Signed up"), CellKind.DATETIME, 18),
    Column(N_("Chats"), width=18, personal=True),
    Column(N_("Last wrote"), CellKind.DATETIME, 18, personal=True),
)


async def participant_lines(tx: AsyncSession, scope: ExportScope) -> AsyncIterator[Line]:
    status, category = Labels(STATUSES), Labels(CATEGORIES)
    interest, contact_time = Labels(INTERESTS), Labels(CONTACT_TIMES)
    async for row in participant_rows(tx, scope.participants(), since=scope.since):
        channels = sorted(set((row.channels or "").split(",")) - {""})
        yield Line(
            (
                row.id,
                row.name,
                status(row.status),
                row.phone,
                row.city,
                row.province,
                category(row.category),
                ", ".join(interest(code) or code for code in row.interests or ()),
                contact_time(row.contact_time),
                row.language,
                row.organisation,
                row.caseworker,
                row.release_date,
                row.registered_at,
                ", ".join(CHANNEL_NAMES.get(c, c) for c in channels),
                row.last_wrote,
            ),
            erased=row.status == ParticipantStatus.ERASED,
        )


APPOINTMENT_KINDS = {"counselling": N_("Counselling"), "reporting": N_("Mandatory reporting")}
ATTENDANCE = {"attended": N_("Attended"), "absent": N_("Absent")}
ANSWERS = {"yes": N_("Coming"), "no": N_("Cannot come"), "reschedule": N_("Asked to reschedule")}
DAY_NAMES = {code: title for code, title, _words in DAYS}

MEETING_COLUMNS = (
    Column(N_("Participant ID"), CellKind.NUMBER, 10),
    Column(N_("Name"), width=26, personal=True),
    Column(N_("Program or meeting"), width=28),
    Column(N_("Session"), width=28),
    Column(N_("Starts"), CellKind.DATETIME, 18),
    Column(N_("Place"), width=28),
)


def _meeting(row: Row[Any]) -> tuple[object, ...]:
    """The columns every meeting row starts with (MEETING_COLUMNS)."""
    what = row.activity if row.kind == "session" else _label(APPOINTMENT_KINDS, row.kind)
    return (row.participant_id, row.name, what, row.title, row.starts_at, row.place)


ATTENDANCE_COLUMNS = (
    *MEETING_COLUMNS,
    Column(N_("Attendance"), width=16),
    Column(N_("Recorded"), CellKind.DATETIME, 18),
)


async def attendance_lines(tx: AsyncSession, scope: ExportScope) -> AsyncIterator[Line]:
    """Every seat in a session, and every appointment, that has begun (not cancelled)."""
    rows = meeting_rows(
        tx,
        participants=scope.participants(),
        sessions=scope.sessions(),
        appointments=scope.appointments(),
        since=scope.since,
        before=scope.now,
    )
    async for row in rows:
        attendance = _label(ATTENDANCE, row.attendance) or _("Not recorded")
        yield Line(
            (*_meeting(row), attendance, row.attendance_at),
            erased=row.participant_status == ParticipantStatus.ERASED,
        )


RSVP_COLUMNS = (
    *MEETING_COLUMNS,
    Column(N_("Answer"), width=20),
    Column(N_("Answered"), CellKind.DATETIME, 18),
    Column(N_("Reason"), width=36, personal=True),
    Column(N_("Days that suit"), width=22, personal=True),
    Column(N_("Handled"), CellKind.DATETIME, 18),
)


async def rsvp_lines(tx: AsyncSession, scope: ExportScope) -> AsyncIterator[Line]:
    """Every answer to the reminders of a session or an appointment, past and coming."""
    rows = meeting_rows(
        tx,
        participants=scope.participants(),
        sessions=scope.sessions(),
        appointments=scope.appointments(),
        since=scope.since,
        answered=True,
    )
    async for row in rows:
        days = [_label(DAY_NAMES, d) or d for d in (row.reschedule_days or "").split(",") if d]
        yield Line(
            (
                *_meeting(row),
                _label(ANSWERS, row.rsvp),
                row.rsvp_at,
                row.reschedule_reason,
                ", ".join(days),
                row.handled_at,
            ),
            erased=row.participant_status == ParticipantStatus.ERASED,
        )


NOTE_COLUMNS = (
    Column(N_("Participant ID"), CellKind.NUMBER, 10),
    Column(N_("Name"), width=26, personal=True),
    Column(N_("Written"), CellKind.DATETIME, 18),
    Column(N_("Written by"), width=22),
    Column(N_("Note"), width=60, personal=True),
)


async def note_lines(tx: AsyncSession, scope: ExportScope) -> AsyncIterator[Line]:
    """The notes the organisation's staff wrote about the participants in scope (never another
    organisation's notes, so a partner's export holds only its own)."""
    rows = note_rows(
        tx, scope.participants(), organisation_id=scope.organisation_id, since=scope.since
    )
    async for row in rows:
        yield Line(
            (row.participant_id, row.name, row.created_at, row.author, row.text),
            erased=row.erased or row.participant_status == ParticipantStatus.ERASED,
        )


CHECKIN_STATUSES = {
    "complete": N_("Complete"),
    "partial": N_("Partial"),
    "expired": N_("Unanswered"),
}
MEDIA_KINDS = {"voice": N_("Voice note"), "audio": N_("Voice note"), "photo": N_("Photo")}

CHECKIN_COLUMNS = (
    Column(N_("Participant ID"), CellKind.NUMBER, 10),
    Column(N_("Name"), width=26, personal=True),
    Column(N_("Started"), CellKind.DATETIME, 18),
    Column(N_("Finished"), CellKind.DATETIME, 18),
    Column(N_("Check-in status"), width=14),
    Column(N_("Channel"), width=10),
    Column(N_("Mood (1-5)"), CellKind.NUMBER, 10),
    Column(N_("Main activity"), width=20),
    Column(N_("Safe place to live"), width=14),
    Column(N_("Help asked for"), width=36),
    Column(N_("Wants contact"), width=10),
    Column(N_("Their words"), width=60, personal=True),
    Column(N_("Voice note or photo"), width=14),
)


async def checkin_lines(tx: AsyncSession, scope: ExportScope) -> AsyncIterator[Line]:
    """Every check-in of the organisation's own participants in scope (a partner organisation
    exports none: check-ins are the caseworker's, not the partner's)."""
    status, activity, housing = Labels(CHECKIN_STATUSES), Labels(ACTIVITIES), Labels(HOUSING)
    need, media, contact = Labels(NEEDS), Labels(MEDIA_KINDS), Labels(CONTACT)
    rows = checkin_rows(
        tx, scope.participants(), organisation_id=scope.organisation_id, since=scope.since
    )
    async for row in rows:
        erased = row.participant_status == ParticipantStatus.ERASED
        yield Line(
            (
                row.participant_id,
                row.name,
                row.started_at,
                row.finished_at,
                status(row.status),
                CHANNEL_NAMES.get(row.channel, row.channel) if row.channel else None,
                row.mood,
                activity(row.activity),
                housing(row.housing),
                ", ".join(need(code) or code for code in in_order(split_needs(row.needs))),
                None
                if row.wants_contact is None
                else contact("yes" if row.wants_contact else "no"),
                row.free_text,
                media(row.media_kind) if row.media_ref and not erased else None,
            ),
            erased=erased,
        )


# In the order the chat offers them.
EXPORT_KINDS: dict[str, ExportKind] = {
    kind.name: kind
    for kind in (
        ExportKind(
            "participants",
            N_("Participants"),
            N_("participants"),
            PARTICIPANT_COLUMNS,
            participant_lines,
            "participants: profile, status, organisation, caseworker, chats",
        ),
        ExportKind(
            "attendance",
            N_("Attendance"),
            N_("attendance"),
            ATTENDANCE_COLUMNS,
            attendance_lines,
            "attendance at sessions and appointments that have begun",
        ),
        ExportKind(
            "rsvps",
            N_("RSVP answers"),
            N_("rsvp-answers"),
            RSVP_COLUMNS,
            rsvp_lines,
            "answers to reminders: coming, cannot come, asked to reschedule (reason, days)",
        ),
        ExportKind(
            "notes",
            N_("Notes"),
            N_("notes"),
            NOTE_COLUMNS,
            note_lines,
            "notes staff wrote about participants (their own organisation's only)",
        ),
        ExportKind(
            "checkins",
            N_("Check-ins"),
            N_("check-ins"),
            CHECKIN_COLUMNS,
            checkin_lines,
            "check-ins (Kabar): mood, activity, housing, help asked, their words",
        ),
    )
}
