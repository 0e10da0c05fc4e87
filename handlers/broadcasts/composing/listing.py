"""A broadcast's figures in one line, for the list of past broadcasts (/siaran, the command
line): what a coordinator needs at a glance, adding up to the recipients."""

from __future__ import annotations

from handlers.i18n import _
from storage.broadcasts.figures import Figures


def figures_line(figures: Figures) -> str:
    parts = [_("recipients {n}").format(n=figures.recipients)]
    if figures.sent:
        parts.append(_("sent {n}").format(n=figures.sent))
    if figures.delivered:
        parts.append(_("delivered {n}").format(n=figures.delivered))
    if figures.read:
        parts.append(_("read {n}").format(n=figures.read))
    if figures.waiting:
        parts.append(_("waiting {n}").format(n=figures.waiting))
    if figures.failed_total:
        parts.append(_("failed {n}").format(n=figures.failed_total))
    if figures.skipped_total:
        parts.append(_("skipped {n}").format(n=figures.skipped_total))
    if figures.cancelled:
        parts.append(_("cancelled {n}").format(n=figures.cancelled))
    if figures.interrupted:
        parts.append(_("uncertain {n}").format(n=figures.interrupted))
    return " · ".join(parts)
