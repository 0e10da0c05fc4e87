"""Commands typed as plain words ("JADWAL", "bantuan!", "Menu"): WhatsApp has no command menu,
and people on any channel type a word before they find a slash.

Outside a question every word works. Inside a question a word is the command only when it cannot
be an answer to that question: "batal" at "Erase your data?" is that question's "Cancel", "bahasa"
at "Choose your language" means Bahasa Indonesia, and a step that keeps the person's own words
(a reason for not coming) hears every word as the reason except the three that always work:
MENU, BANTUAN and BATAL. Names and places are never one of these words, so at "What is your
name?" a "Menu" is the menu, not a name (a person called Menu types their full name).
"BERHENTI"/"stop" is heard before this (handlers/participants/free_text.py): it asks to confirm.
"""

from __future__ import annotations

from handlers.flow import Step
from handlers.i18n import N_
from handlers.participants.places import OFFER as PLACE_OFFER
from handlers.understanding.choices import normalise

# What is typed (normalised: lowercase, no punctuation) -> the command it names.
WORDS = {
    "menu": "menu", "bantuan": "bantuan", "help": "bantuan", "jadwal": "jadwal",
    "jadwal saya": "jadwal", "schedule": "jadwal", "profil": "profil", "profile": "profil",
    "data saya": "profil", "mulai": "mulai", "resume": "mulai", "hapus": "hapus",
    "delete": "hapus", "hapus data": "hapus", "hapus data saya": "hapus", "bahasa": "bahasa",
    "language": "bahasa", "batal": "batal", "cancel": "batal", "hubungkan": "hubungkan",
    "link": "hubungkan", "kabar": "kabar", "check in": "kabar", "checkin": "kabar",
}  # fmt: skip

# Commands inside any question, even one that keeps the person's own words.
ALWAYS = frozenset({"menu", "bantuan", "batal"})

# The questions that take a command's word as their own answer (see each step's options).
ANSWERS: dict[str, frozenset[str]] = {
    "erase.confirm": frozenset({"hapus", "batal"}),  # "Yes, erase" / "Cancel"
    "optout.confirm": frozenset({"batal"}),  # "No, carry on"
    "resume.confirm": frozenset({"mulai"}),  # "Yes, send again"
    "lang.pick": frozenset({"bahasa"}),  # Bahasa Indonesia
    "edit.pick": frozenset({"batal"}),  # "Nothing, go back"
    "signup.province": frozenset({"batal"}),  # back to the city question
    "signup.zone": frozenset({"batal"}),
    "signup.zone_pick": frozenset({"batal"}),
}

# The words /bantuan lists, in this order, with what each does.
HELP: list[tuple[str, str]] = [
    ("MENU", N_("Open the menu")),
    ("JADWAL", N_("My schedule")),
    ("KABAR", N_("Tell us how you are")),
    ("PROFIL", N_("See or change my data")),
    ("BAHASA", N_("Bahasa Indonesia / English")),
    ("BERHENTI", N_("Stop all messages")),
    ("MULAI", N_("Receive messages again")),
    ("HAPUS", N_("Erase my data")),
    ("BATAL", N_("Cancel what I am doing")),
    ("HUBUNGKAN", N_("Link Telegram and WhatsApp")),
]


def typed_command(
    text: str, state: str | None, step: Step | None, data: dict[str, object]
) -> str | None:
    """The command a message is, when it is only a command's word and means it here."""
    command = WORDS.get(normalise(text))
    if command is None or step is None or state is None:
        return command
    if command in ANSWERS.get(state, frozenset()):
        return None
    if state == "signup.city" and command == "batal" and data.get(PLACE_OFFER):  # "not these"
        return None
    if step.keeps_text and command not in ALWAYS:
        return None
    return command
