"""The weekly digest's chart as a PNG, drawn to be read on a phone: two panels, large type,
labels in the reader's language. matplotlib's Agg canvas, no pyplot (no global state: safe in
a worker thread while the event loop runs)."""

from __future__ import annotations

import io

from babel.dates import format_date
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from handlers.i18n import _, current_language
from handlers.reports.weekly import WeeklyFigures

WIDTH, HEIGHT, DPI = 7.2, 9.6, 100  # 720 x 960 pixels: a phone screen, upright
FONT = 15
RATE_COLOUR = "#2a7ab0"
MOOD_COLOUR = "#e07b00"
ATTENDED_COLOUR = "#3a9d5d"
PROGRAMS_SHOWN = 6  # the most marked ones: more would not be readable


def draw_weekly(figures: WeeklyFigures) -> bytes:
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(1.1, 1))
    language = current_language()

    labels = [format_date(w.monday, "d MMM", locale=language) for w in figures.weeks]
    rates = [(w.rate or 0) * 100 for w in figures.weeks]
    top.bar(range(len(labels)), rates, color=RATE_COLOUR, label=_("Answered (%)"))
    top.set_ylim(0, 100)
    top.set_ylabel(_("Answered (%)"), fontsize=FONT, color=RATE_COLOUR)
    top.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=FONT - 3)
    top.tick_params(axis="y", labelsize=FONT - 2)
    top.set_title(_("Check-ins per week"), fontsize=FONT + 2, loc="left")
    mood = top.twinx()
    moods = [(i, w.mood) for i, w in enumerate(figures.weeks) if w.mood is not None]
    if moods:
        xs, ys = zip(*moods, strict=True)
        mood.plot(xs, ys, color=MOOD_COLOUR, marker="o", linewidth=3, markersize=9)
    mood.set_ylim(1, 5)
    mood.set_yticks([1, 2, 3, 4, 5])
    mood.set_ylabel(_("Mood (1-5)"), fontsize=FONT, color=MOOD_COLOUR)
    mood.tick_params(axis="y", labelsize=FONT - 2)

    shown = sorted(figures.attendance, key=lambda p: -p.marked)[:PROGRAMS_SHOWN]
    bottom.set_title(_("Attendance per program (8 weeks)"), fontsize=FONT + 2, loc="left")
    if shown:
        names = [_short(p.name) for p in reversed(shown)]
        values = [p.attended / p.marked * 100 for p in reversed(shown)]
        bars = bottom.barh(names, values, color=ATTENDED_COLOUR)
        bottom.bar_label(bars, labels=[f"{v:.0f}%" for v in values], fontsize=FONT - 2, padding=4)
        bottom.set_xlim(0, 115)
        bottom.tick_params(axis="y", labelsize=FONT - 1)
        bottom.tick_params(axis="x", labelsize=FONT - 3)
    else:
        bottom.axis("off")
        bottom.text(0.5, 0.5, _("No attendance marked"), ha="center", fontsize=FONT)
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
