"""A broadcast's figures in one line, for the list of past broadcasts (/siaran, the command
line): what a coordinator needs at a glance, adding up to the recipients."""

from __future__ import annotations

from collections.abc import Callable

from handlers.i18n import N_, _
from storage.broadcasts.figures import Figures

# Each figure after the recipients, shown only when it is not 0.
_COUNTS: tuple[tuple[str, Callable[[Figures], int]], ...] = (
    (N_("sent {n}"), lambda f: f.sent),
    (N_("delivered {n}"), lambda f: f.delivered),
    (N_("read {n}"), lambda f: f.read),
    (N_("waiting {n}"), lambda f: f.waiting),
    (N_("failed {n}"), lambda f: f.failed_total),
    (N_("skipped {n}"), lambda f: f.skipped_total),
    (N_("cancelled {n}"), lambda f: f.cancelled),
    (N_("uncertain {n}"), lambda f: f.interrupted),
)


def figures_line(figures: Figures) -> str:
    parts = [_("recipients {n}").format(n=figures.recipients)]
    parts.extend(_(label).format(n=count(figures)) for label, count in _COUNTS if count(figures))
    return " · ".join(parts)
