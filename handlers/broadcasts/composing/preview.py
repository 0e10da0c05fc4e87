"""A broadcast's preview, the same in chat (/siaran) and on the command line: how many get it on
each app, who is left out and why, the message exactly as each kind of recipient will see it
(their language; discreet mode: the neutral version, or the text with the institution's words
left out by the last-resort guard), and a warning when discreet people would see such words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.broadcasts.message import broadcast_text
from handlers.i18n import N_, _, use_language
from handlers.reminders.discretion import is_sensitive, scrub
from storage.broadcasts.audience import Audience, Count, LeftOut, Running, count, variants
from storage.models import Broadcast, Organisation

CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": N_("terminal")}
LANGUAGE_NAMES = {"id": N_("Indonesian language"), "en": N_("English language")}
REASONS = {
    LeftOut.STOPPED: N_("stopped messages"),
    LeftOut.ERASED: N_("erased their data"),
    LeftOut.UNREACHABLE: N_("cannot be reached (blocked or no app)"),
    LeftOut.NO_CHAT: N_("no chat yet (sign-up not finished)"),
}


def channel_name(channel: str) -> str:
    return _(CHANNEL_NAMES[channel]) if channel in CHANNEL_NAMES else channel


def language_name(language: str) -> str:
    return _(LANGUAGE_NAMES[language]) if language in LANGUAGE_NAMES else language


@dataclass(frozen=True)
class Version:
    """One text as some recipients see it, and who they are: (channel, how many) and languages."""

    text: str
    channels: dict[str, int]
    languages: tuple[str, ...]
    discreet: bool
    cut: bool = False  # the discreet guard left words out of it


@dataclass(frozen=True)
class Preview:
    count: Count
    versions: list[Version]
    discreet: int  # recipients in discreet mode
    sensitive: bool  # the text (or its English version) names an institution

    @property
    def needs_neutral(self) -> bool:
        """Discreet recipients would get a text with words left out."""
        return any(v.cut for v in self.versions)


def seen_by(broadcast: Broadcast, organisation: str, language: str, discreet: bool) -> str:
    """The message as this kind of recipient gets it, after the outbox's discreet guard."""
    text = broadcast_text(broadcast, organisation, language, discreet)
    return scrub(text) if discreet else text


async def build(tx: AsyncSession, broadcast: Broadcast, running: Running) -> Preview:
    audience = Audience.from_json(broadcast.audience)
    organisation = await tx.get(Organisation, broadcast.organisation_id)
    name = organisation.name if organisation is not None else ""
    versions: dict[str, Version] = {}
    discreet_total = 0
    for channel, language, discreet, n in await variants(tx, audience, running):
        discreet_total += n if discreet else 0
        text = seen_by(broadcast, name, language, discreet)
        found = versions.get(text)
        if found is None:
            cut = text != broadcast_text(broadcast, name, language, discreet)
            versions[text] = Version(text, {channel: n}, (language,), discreet, cut)
            continue
        found.channels[channel] = found.channels.get(channel, 0) + n
        if language not in found.languages:
            versions[text] = Version(
                text, found.channels, (*found.languages, language), found.discreet, found.cut
            )
    sensitive = is_sensitive(broadcast.text) or is_sensitive(broadcast.text_en)
    counted = await count(tx, audience, running)
    return Preview(counted, list(versions.values()), discreet_total, sensitive)


def figures_lines(counted: Count) -> list[str]:
    """ "Recipients: 120 (Telegram 80, WhatsApp 40)" and who is left out and why."""
    per_channel = ", ".join(
        f"{channel_name(c)} {n}" for c, n in sorted(counted.per_channel.items())
    )
    lines = [
        _("Recipients: {n}").format(n=counted.recipients)
        + (f" ({per_channel})" if per_channel else "")
    ]
    if counted.left_out:
        reasons = ", ".join(
            f"{_(REASONS[r]) if r in REASONS else r} {n}"
            for r, n in sorted(counted.left_out.items())
        )
        lines.append(
            _("Left out: {n} ({reasons})").format(n=counted.left_out_total, reasons=reasons)
        )
    return lines


def version_heading(version: Version) -> str:
    apps = ", ".join(f"{channel_name(c)} {n}" for c, n in sorted(version.channels.items()))
    languages = ", ".join(language_name(lang) for lang in version.languages)
    if version.discreet:
        return _("What readers of {languages} in discreet mode see ({apps}):").format(
            languages=languages, apps=apps
        )
    return _("What readers of {languages} see ({apps}):").format(languages=languages, apps=apps)


def discreet_warning(preview: Preview) -> str | None:
    """Said when discreet recipients would get the text with an institution's words cut out."""
    if not preview.needs_neutral:
        return None
    return _(
        "⚠️ The text names an institution (such as Bapas or Lapas). Recipients in discreet "
        "mode: {n}. You can write a neutral version for them. If you send it as it is, those "
        "words are left out of their message (shown as …)."
    ).format(n=preview.discreet)


def render(preview: Preview, *, language: str) -> list[str]:
    """The preview as messages: the figures (and the warning), then each version."""
    with use_language(language):
        head = "\n".join(figures_lines(preview.count))
        warning = discreet_warning(preview)
        if warning:
            head += "\n\n" + warning
        bodies = [f"<i>{version_heading(v)}</i>\n\n{v.text}" for v in preview.versions]
    return [head, *bodies]
