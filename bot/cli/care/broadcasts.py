"""`pendamping broadcast`: an announcement to an organisation's participants from the command
line, with the same audience, preview, writing and audit as /siaran in chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime, time
from typing import Any

from bot.cli.common import Context, group, leaf, table, typed
from bot.config import Settings
from handlers.broadcasts.composing.audit import audit_cancel, audit_send
from handlers.broadcasts.composing.listing import figures_line
from handlers.broadcasts.composing.preview import build, render
from handlers.broadcasts.composing.writing import write_out
from handlers.participants.labels import CATEGORIES, INTERESTS
from handlers.programs.admin import Refused, find_organisation
from handlers.programs.values import InputError, resolve_city
from handlers.regions.search import match_province
from handlers.text import strip_tags
from storage.broadcasts.audience import Audience, Running, count
from storage.broadcasts.figures import figures_of
from storage.broadcasts.writing import cancel, confirm, create_draft, recent
from storage.models import Broadcast, BroadcastStatus

CHANNELS = ("telegram", "whatsapp")
LANGUAGES = ("id", "en")


def running_channels(settings: Settings) -> Running:
    """The channels the bot runs with these settings (None: none configured, so any)."""
    found = [
        name
        for name, on in (
            ("telegram", settings.telegram_bot_token is not None),
            ("whatsapp", settings.whatsapp_enabled),
        )
        if on
    ]
    return found or None


def _province(text: str) -> str:
    found = match_province(text)
    if found is None:
        raise InputError(f"no province {text!r}")
    return found.name


def _moment(text: str) -> tuple[date, time]:
    try:
        moment = datetime.strptime(" ".join(text.split()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError(f'--at {text!r}: write it as "2026-12-05 09:00"') from None
    return moment.date(), moment.time()


def _what(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True, help="the organisation's id or exact name")
    parser.add_argument("--text", required=True, help="the announcement, in Indonesian")
    parser.add_argument("--text-en", help="the same in English, for people who chose English")
    parser.add_argument(
        "--neutral", help="what people in discreet mode get instead (names no institution)"
    )
    parser.add_argument("--neutral-en", help="the neutral version in English")
    parser.add_argument("--category", action="append", choices=tuple(CATEGORIES), default=[])
    parser.add_argument(
        "--city", action="append", type=typed(resolve_city), default=[], help="kabupaten/kota"
    )
    parser.add_argument("--province", action="append", type=typed(_province), default=[])
    parser.add_argument("--program", action="append", type=int, default=[], help="members of")
    parser.add_argument("--session", action="append", type=int, default=[], help="enrolled in")
    parser.add_argument("--interest", action="append", choices=tuple(INTERESTS), default=[])
    parser.add_argument("--channel", action="append", choices=CHANNELS, default=[])
    parser.add_argument("--language", action="append", choices=LANGUAGES, default=[])
    parser.add_argument(
        "--unresponsive", action="store_true", help='only "tidak merespons" (2 check-ins missed)'
    )


def add_broadcast_parsers(sub: Any) -> None:
    broadcast = group(sub, "broadcast", "announcements to an organisation's participants")
    _what(leaf(broadcast, "preview", "who would get it, and how it reads", broadcast_preview))
    send = leaf(broadcast, "send", "send an announcement now or at a local time", broadcast_send)
    _what(send)
    send.add_argument(
        "--at", type=typed(_moment), help='local time in each zone, "YYYY-MM-DD HH:MM"'
    )
    send.add_argument("--yes", action="store_true", help="send without asking")
    listing = leaf(broadcast, "list", "an organisation's broadcasts and figures", broadcast_list)
    listing.add_argument("--org", required=True, help="the organisation's id or exact name")
    show = leaf(broadcast, "show", "one broadcast: its audience and figures", broadcast_show)
    show.add_argument("id", type=int)
    stop = leaf(broadcast, "cancel", "stop a broadcast: nothing more is sent", broadcast_cancel)
    stop.add_argument("id", type=int)


def _audience(args: argparse.Namespace, organisation_id: int) -> Audience:
    return Audience(
        organisation_id,
        categories=tuple(args.category),
        city_keys=tuple(args.city),
        provinces=tuple(args.province),
        program_ids=tuple(args.program),
        session_ids=tuple(args.session),
        interests=tuple(args.interest),
        channels=tuple(args.channel),
        languages=tuple(args.language),
        unresponsive=args.unresponsive,
    )


def _texts(args: argparse.Namespace) -> dict[str, str | None]:
    texts = {
        "text": args.text,
        "text_en": args.text_en,
        "neutral_text": args.neutral,
        "neutral_text_en": args.neutral_en,
    }
    cleaned = {k: (v.strip() or None) if v else None for k, v in texts.items()}
    if not cleaned["text"]:
        raise InputError("--text is empty")
    return cleaned


async def _preview(args: argparse.Namespace, context: Context) -> tuple[Broadcast, str] | None:
    """Prints the preview of a draft not stored; None if the audience is empty."""
    running = running_channels(context.settings)
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        texts = _texts(args)
        audience = _audience(args, org.id)
        draft = Broadcast(organisation_id=org.id, audience=audience.to_json(), **texts)
        preview = await build(tx, draft, running)
    print(f"organisation {org.id}: {org.name}; audience: {audience.summary()}")
    for part in render(preview, language="en"):
        print()
        print(strip_tags(part))
    if preview.count.recipients == 0:
        print("\nnobody to send to")
        return None
    return draft, org.name


async def broadcast_preview(args: argparse.Namespace, context: Context) -> int:
    await _preview(args, context)
    return 0


async def broadcast_send(args: argparse.Namespace, context: Context) -> int:
    shown = await _preview(args, context)
    if shown is None:
        return 1
    if not args.yes:
        if not sys.stdin.isatty():
            print("not sent: add --yes to send it", file=sys.stderr)
            return 1
        answer = await asyncio.to_thread(input, "\nsend it? [y/N] ")
        if answer.strip().casefold() not in ("y", "yes", "ya"):
            print("not sent")
            return 1
    draft, _name = shown
    running = running_channels(context.settings)
    local_date, local_time = args.at if args.at else (None, None)
    async with context.db.transaction() as tx:
        audience = Audience.from_json(draft.audience)
        broadcast = await create_draft(
            tx,
            organisation_id=audience.organisation_id,
            created_by=None,
            text=draft.text,
            text_en=draft.text_en,
            neutral_text=draft.neutral_text,
            neutral_text_en=draft.neutral_text_en,
            audience=audience,
            now=context.now,
        )
        counted = await count(tx, audience, running)
        await confirm(
            tx,
            broadcast.id,
            now=context.now,
            left_out=counted.left_out,
            local_date=local_date,
            local_time=local_time,
        )
        broadcast_id = broadcast.id
    await write_out(db=context.db, broadcast_id=broadcast_id, running=running,
                    quiet=context.policy.quiet, now=context.now)  # fmt: skip
    async with context.db.transaction() as tx:
        written = await tx.get(Broadcast, broadcast_id)
        assert written is not None
        await audit_send(tx, written, staff=None, channel="cli", now=context.now)
    when = f"at {args.at[0]} {args.at[1]:%H:%M} local time" if args.at else "now"
    print(f"\nbroadcast {broadcast_id}: {written.recipients} recipients, sending {when}")
    return 0


async def broadcast_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        found = [(b, await figures_of(tx, b.id)) for b in await recent(tx, org.id, limit=50)]
    rows = [
        (b.id, b.status, f"{b.confirmed_at:%Y-%m-%d %H:%M}" if b.confirmed_at else None,
         b.text, figures_line(f))
        for b, f in found
    ]  # fmt: skip
    headers = ("id", "status", "confirmed (UTC)", "text", "figures")
    print(table(headers, rows) if rows else "no broadcasts yet")
    return 0


async def broadcast_show(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        broadcast = await tx.get(Broadcast, args.id)
        if broadcast is None or broadcast.status == BroadcastStatus.DRAFT:
            raise Refused(f"there is no broadcast {args.id}; see `pendamping broadcast list`")
        figures = await figures_of(tx, broadcast.id)
    audience = Audience.from_json(broadcast.audience)
    print(
        f"broadcast {broadcast.id} of organisation {broadcast.organisation_id}: {broadcast.status}"
    )
    print(f"audience: {audience.summary()}")
    if broadcast.local_date and broadcast.local_time:
        print(f"at {broadcast.local_date} {broadcast.local_time:%H:%M} in each recipient's zone")
    left = ", ".join(f"{k} {v}" for k, v in sorted(broadcast.left_out.items())) or "nobody"
    print(f"left out at confirmation: {left}")
    print(f"figures: {figures_line(figures)}")
    for reason, n in sorted({**figures.failed, **figures.skipped}.items()):
        print(f"  {reason}: {n}")
    print(f"\n{broadcast.text}")
    return 0


async def broadcast_cancel(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        broadcast = await cancel(tx, args.id, now=context.now, staff_id=None)
        if broadcast is None:
            raise Refused(f"broadcast {args.id} is not running or scheduled")
        await audit_cancel(tx, broadcast, staff=None, channel="cli", now=context.now)
    async with context.db.transaction() as tx:
        figures = await figures_of(tx, args.id)
    print(f"broadcast {args.id} cancelled: {figures_line(figures)}")
    return 0
