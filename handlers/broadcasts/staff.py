"""The staff side of broadcasts, found by handlers/staff/discovery.py: /siaran (admins) and its
buttons and questions (composing/: compose.py, audience.py, past.py)."""

from __future__ import annotations

from handlers.broadcasts.composing import audience as compose_audience
from handlers.broadcasts.composing import compose, past
from handlers.i18n import N_
from handlers.staff.commands import staff_button, staff_command, staff_step

staff_command(
    "siaran",
    past.siaran_command,
    N_("Send an announcement to participants"),
    admin_only=True,
    title=N_("Broadcast"),
)
staff_button("bc_new", past.new_pressed)
staff_button("bc_stop", past.stop_pressed)
staff_button("bc_stopped", past.stop_confirmed)
staff_button("bc_skip", compose.skip_pressed)
staff_button("bc_go", compose.go_pressed)
staff_button("bc_kind", compose_audience.kind_pressed)
staff_button("bc_add", compose_audience.value_pressed)
staff_step("bc_text", compose.ask_text, compose.answer_text)
staff_step("bc_text_en", compose.ask_text_en, compose.answer_text_en)
staff_step("bc_audience", compose_audience.ask_audience, compose_audience.answer_audience)
staff_step("bc_pick", compose_audience.ask_pick, compose_audience.answer_pick)
staff_step("bc_preview", compose.ask_preview, compose.answer_preview)
staff_step("bc_neutral", compose.ask_neutral, compose.answer_neutral)
staff_step("bc_neutral_en", compose.ask_neutral_en, compose.answer_neutral_en)
staff_step("bc_when", compose.ask_when, compose.answer_when)
