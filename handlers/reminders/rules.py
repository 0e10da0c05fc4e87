"""Pure rules for reminders: which offsets, when to send in the person's zone, when it is too late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_OFFSETS = (24 * 60, 2 * 60)  # the day before (H-1) and two hours before


@dataclass(frozen=True)
class QuietHours:
    """Local hours with no messages; `start` may be after `end` (21.00-06.00 spans midnight)."""

    start: time = time(21, 0)
    end: time = time(6, 0)

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """From "21:00-06:00" (or "21.00-06.00"); "" or "off" means no quiet hours."""
        if text.strip().lower() in ("", "off", "none"):
            return cls(time(0, 0), time(0, 0))
        start, _sep, end = text.replace(".", ":").partition("-")
        return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))


@dataclass(frozen=True)
class ReminderPolicy:
    """Deployment-wide reminder settings."""

    quiet: QuietHours = QuietHours()
    grace: timedelta = timedelta(minutes=60)  # how late a reminder may still go out
    horizon: timedelta = timedelta(days=14)  # how far ahead recurring appointments are planned


def next_allowed(moment: datetime, timezone: str, quiet: QuietHours) -> datetime:
    """`moment`, or if it falls in quiet hours, the moment they end (for notices, not reminders)."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    if not quiet.contains(local.time()):
        return moment
    end_day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        end_day += timedelta(days=1)
    return datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(moment.tzinfo)


def offsets_for(
    session_offsets: list[int] | None, program_offsets: list[int] | None
) -> tuple[int, ...]:
    """The session's own offsets win over the program's; neither set means the default."""
    chosen = session_offsets if session_offsets is not None else program_offsets
    if chosen is None:
        return DEFAULT_OFFSETS
    return tuple(sorted({int(m) for m in chosen if int(m) > 0}, reverse=True))


def send_time(due: datetime, timezone: str, quiet: QuietHours) -> datetime:
    """`due`, or if that falls in quiet hours, the last allowed minute before they began."""
    zone = ZoneInfo(timezone)
    local = due.astimezone(zone)
    if not quiet.contains(local.time().replace(second=0, microsecond=0)):
        return due
    start_day = local.date()
    if quiet.start > quiet.end and local.time() < quiet.end:
        start_day -= timedelta(days=1)  # after midnight: quiet hours began the evening before
    began = datetime.combine(start_day, quiet.start, tzinfo=zone)
    return (began - timedelta(minutes=1)).astimezone(due.tzinfo)


def planned_reminders(
    starts_at: datetime, offsets: tuple[int, ...], timezone: str, quiet: QuietHours
) -> list[tuple[int, datetime]]:
    """(offset, send time) for each offset, quiet hours respected."""
    return [
        (offset, send_time(starts_at - timedelta(minutes=offset), timezone, quiet))
        for offset in offsets
    ]


def too_late(now: datetime, due_at: datetime, event_at: datetime | None, grace: timedelta) -> bool:
    """A reminder past its moment by more than `grace`, or after the session began, is skipped."""
    if event_at is not None and now >= event_at:
        return True
    return now > due_at + grace
