"""/ekspor (every staff member): what to export (a list: Peserta, Kehadiran, Jawaban RSVP), then
which format (CSV or Excel), then the file, as a document with a short caption. Typed in one go
works too: "/ekspor kehadiran excel". The file holds what the staff member may see, no more."""

from __future__ import annotations

import io
from dataclasses import dataclass

from handlers.exports.export import file_name, write_export
from handlers.exports.kinds import EXPORT_KINDS, ExportKind
from handlers.exports.scope import staff_scope
from handlers.exports.writers import MIME, Format
from handlers.flow import Turn
from handlers.i18n import N_, _, ngettext
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.scope import StaffView
from handlers.types import Button, Document, Reply
from handlers.understanding.choices import normalise, normalised_set

ACTION = "ekspor"  # the buttons' action: "staff:ekspor:<kind>" and "staff:ekspor:<kind>:<format>"

# Words a staff member may type after /ekspor.
KIND_WORDS = {
    "participants": normalised_set(("peserta", "participants", "klien")),
    "attendance": normalised_set(("kehadiran", "absensi", "presensi", "attendance")),
    "rsvps": normalised_set(("rsvp", "rsvps", "jawaban", "konfirmasi", "answers")),
    "notes": normalised_set(("catatan", "notes", "note")),
    "checkins": normalised_set(("kabar", "checkin", "checkins", "check-in", "check-ins")),
}
FORMAT_WORDS = {
    Format.CSV: normalised_set(("csv",)),
    Format.XLSX: normalised_set(("excel", "xlsx", "xls", "spreadsheet")),
}
FORMAT_TITLES = {Format.CSV: "CSV", Format.XLSX: "Excel"}


@dataclass(frozen=True)
class Choice:
    """What the staff member chose so far (from a payload or typed words), never trusted as
    more than that: the export itself is always within their scope."""

    kind: ExportKind | None = None
    format: Format | None = None

    def payload(self) -> str:
        assert self.kind is not None
        argument = self.kind.name if self.format is None else f"{self.kind.name}:{self.format}"
        return staff_payload(ACTION, argument)


def from_payload(argument: str) -> Choice:
    """The choice a button carries ("attendance" or "attendance:xlsx"); unknown parts: none."""
    name, _sep, format = argument.partition(":")
    kind = EXPORT_KINDS.get(name)
    if kind is None:
        return Choice()
    return Choice(kind, next((f for f in Format if f.value == format), None))


def from_words(text: str) -> Choice:
    """The choice typed after /ekspor, in any order: "kehadiran excel", "csv peserta"."""
    words = set(normalise(text).split())
    kind = next(
        (EXPORT_KINDS[name] for name, synonyms in KIND_WORDS.items() if words & synonyms), None
    )
    format = next((f for f, synonyms in FORMAT_WORDS.items() if words & synonyms), None)
    return Choice(kind, format)


async def ekspor(turn: Turn, staff: StaffView, args: str) -> None:
    await answer(turn, staff, from_words(args))


async def pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    await answer(turn, staff, from_payload(argument))


async def answer(turn: Turn, staff: StaffView, choice: Choice) -> None:
    if choice.kind is None:
        ask_kind(turn)
    elif choice.format is None:
        ask_format(turn, choice.kind)
    else:
        await send_file(turn, staff, choice.kind, choice.format)


def ask_kind(turn: Turn) -> None:
    buttons = tuple(Button(_(kind.title), Choice(kind).payload()) for kind in EXPORT_KINDS.values())
    turn.say(
        _("What would you like to export? You get what you may see, as a spreadsheet file."),
        (*buttons, Button(_("Cancel"), staff_payload("cmd", "batal"))),
    )


def ask_format(turn: Turn, kind: ExportKind) -> None:
    buttons = tuple(
        Button(FORMAT_TITLES[format], Choice(kind, format).payload()) for format in Format
    )
    turn.say(
        _("{what}: which format? Excel keeps dates as dates; CSV opens anywhere.").format(
            what=_(kind.title)
        ),
        (*buttons, Button(_("Cancel"), staff_payload("cmd", "batal"))),
    )


async def send_file(turn: Turn, staff: StaffView, kind: ExportKind, format: Format) -> None:
    scope = await staff_scope(
        turn.tx,
        staff,
        channel=turn.incoming.channel,
        now=turn.now,
        default_timezone=turn.settings.default_timezone,
    )
    out = io.BytesIO()
    count = await write_export(turn.tx, scope, kind, format, out)
    if count == 0:
        turn.say(
            _("{what}: there is nothing to export yet.").format(what=_(kind.title)),
            (Button(_("Menu"), staff_payload("cmd", "menu")),),
        )
        return
    caption = ngettext(
        "{what}: {count} row ({format}). Times are in {zone}. It holds personal data: keep it "
        "safe and do not pass it on.",
        "{what}: {count} rows ({format}). Times are in {zone}. It holds personal data: keep it "
        "safe and do not pass it on.",
        count,
    ).format(
        what=_(kind.title),
        count=count,
        format=FORMAT_TITLES[format],
        zone=scope.zone_name,
    )
    document = Document(file_name(scope, kind, format), out.getvalue(), MIME[format])
    turn.replies.append(Reply(caption, document=document))


staff_command("ekspor", ekspor, N_("Export to a spreadsheet"), title=N_("Export"))
staff_button(ACTION, pressed)
