"""Putting one staff member's digest together: every section in order, nothing that was
reported before unless still open, at most a few lines a section, detail buttons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.sections import DigestScope, Item, Section, sections
from handlers.i18n import _, ngettext
from handlers.staff.audit import AuditAction, audit
from handlers.staff.commands import staff_payload
from handlers.staff.scope import StaffView
from handlers.text import esc, fit
from handlers.types import Button
from storage.models import Staff, StaffRole
from storage.staff.chat import staff_names
from storage.staff.digests import Reported, forget_ended, record_reported, reported

LINES = 5  # a caseworker's lines per section: the rest wait for the next digest
ADMIN_LINES = 3  # an admin reads counts first, then the most urgent few of each section
BUTTONS = 10  # WhatsApp's list holds 10 rows


@dataclass(frozen=True)
class Digest:
    text: str
    buttons: tuple[Button, ...]
    attention: int  # how many people need the reader (for the template's line)
    empty: bool  # nothing to report


@dataclass(frozen=True)
class Part:
    section: Section
    found: list[Item]  # everything to report (counted)
    limit: int  # how many lines are shown; the rest wait for the next digest

    @property
    def items(self) -> list[Item]:
        return self.found[: self.limit]

    @property
    def more(self) -> int:
        return max(0, len(self.found) - self.limit)


def scope_of(staff: Staff, now: datetime) -> DigestScope:
    admin = staff.role == StaffRole.ADMIN
    return DigestScope(
        staff_id=staff.id,
        organisation_id=staff.organisation_id,
        caseworker_id=None if admin else staff.id,
        timezone=staff.timezone,
        language=staff.language,
        now=now,
    )


async def compose(
    tx: AsyncSession, staff: Staff, now: datetime, *, scheduled_id: int | None, channel: str
) -> Digest:
    """The digest as of `now`; what it reports is remembered (`scheduled_id`: the outbox row
    it goes in, whose reports it shows again if opened later; None for /ringkasan)."""
    scope = scope_of(staff, now)
    limit = LINES if scope.caseworker_id is not None else ADMIN_LINES
    before = await reported(tx, staff.id)
    parts: list[Part] = []
    state_sections: list[str] = []
    state_keys: list[str] = []
    for found in sections():
        items = await found.find(tx, scope)
        if found.state:
            state_sections.append(found.name)
            state_keys.extend(item.key for item in items)
        fresh = [
            item
            for item in items
            if item.still_open or item.key not in before or _ours(before, item.key, scheduled_id)
        ]
        if fresh:
            parts.append(Part(found, fresh, limit))
    await forget_ended(tx, staff.id, state_sections, state_keys)
    news = [
        Reported(item.key, part.section.name)
        for part in parts
        for item in part.items
        if not item.still_open
    ]
    await record_reported(tx, staff.id, news, scheduled_id, now)
    view = StaffView(staff.id, staff.organisation_id, staff.role, staff.name, staff.language)
    shown = sum(len(part.items) for part in parts)
    await audit(
        tx, staff=view, action=AuditAction.SEARCH, channel=channel, now=now,
        detail=f"digest shown={shown}",
    )  # fmt: skip
    return await _render(tx, scope, parts)


def _ours(before: dict[str, int | None], key: str, scheduled_id: int | None) -> bool:
    """Reported by this very digest (opened again from its template's button)."""
    return scheduled_id is not None and before.get(key) == scheduled_id


def _attention(parts: list[Part]) -> set[int]:
    """The people who need the reader: everyone found, shown or not."""
    return {
        item.participant_id
        for part in parts
        if part.section.needs_attention
        for item in part.found
        if item.participant_id is not None
    }


async def _render(tx: AsyncSession, scope: DigestScope, parts: list[Part]) -> Digest:
    day = format_date(scope.today, "EEEE, d MMMM", locale=scope.language)
    if not parts:
        text = _("Nothing to report today ({day}).").format(day=day)
        return Digest(text, (), 0, True)
    people = _attention(parts)
    if scope.caseworker_id is not None:
        head = [
            "<b>" + _("Your morning digest, {day}").format(day=day) + "</b>",
            ngettext("{count} person needs you.", "{count} people need you.", len(people)).format(
                count=len(people)
            )
            if people
            else None,
        ]
    else:
        head = [
            "<b>" + _("Your organisation's morning digest, {day}").format(day=day) + "</b>",
            ngettext(
                "{count} person needs attention.", "{count} people need attention.", len(people)
            ).format(count=len(people))
            if people
            else None,
            *await _admin_counts(tx, parts),
        ]
    body = []
    for part in parts:
        lines = [f"<b>{_(part.section.title)}</b>", *(f"• {item.line}" for item in part.items)]
        if part.more:
            lines.append(_("… and {count} more").format(count=part.more))
        body.append("\n".join(lines))
    text = "\n".join(line for line in head if line is not None) + "\n\n" + "\n\n".join(body)
    return Digest(text, _buttons(parts), len(people), False)


async def _admin_counts(tx: AsyncSession, parts: list[Part]) -> list[str]:
    """What needs attention per caseworker and per program (organisation-wide, shown or not)."""
    by_caseworker: Counter[int | None] = Counter()
    by_program: Counter[str] = Counter()
    for part in parts:
        if not part.section.needs_attention:
            continue
        for item in part.found:
            by_caseworker[item.caseworker_id] += 1
            if item.program:
                by_program[item.program] += 1
    names = await staff_names(tx, {i for i in by_caseworker if i is not None})
    nobody = _("no caseworker")
    lines = []
    if by_caseworker:
        counts = " · ".join(
            f"{esc(names.get(i, '-')) if i is not None else nobody}: {n}"
            for i, n in sorted(by_caseworker.items(), key=lambda kv: (-kv[1], kv[0] or 0))
        )
        lines += ["", "<b>" + _("Per caseworker") + "</b>", counts]
    if by_program:
        counts = " · ".join(f"{esc(p)}: {n}" for p, n in sorted(by_program.items()))
        lines += ["", "<b>" + _("Per program") + "</b>", counts]
    return lines


def _buttons(parts: list[Part]) -> tuple[Button, ...]:
    """One per person, most urgent first: it opens their card."""
    seen: list[tuple[int, Item]] = []
    for part in parts:
        for item in part.items:
            pid = item.participant_id
            if pid is not None and all(p != pid for p, _item in seen):
                seen.append((pid, item))
    return tuple(
        Button(fit(f"#{pid} {item.first_name}"), staff_payload("p", pid))
        for pid, item in seen[:BUTTONS]
    )
