"""The inbound benchmark's conversation: what each simulated participant says, and who they are."""

from __future__ import annotations

import random
from dataclasses import dataclass


# --------------------------------------------------------------------------------------
# The conversation script
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Say:
    kind: str  # "text" or "press" (callback data of a button of the bot's last keyboard)
    value: str


@dataclass(frozen=True)
class Step:
    name: str
    variants: tuple[Say, ...]  # one is picked per participant (seeded)
    replies: int  # messages the bot sends for this input
    expect: str | None = None  # the last reply's inline button prefix, "keyboard", or None


def texts(*values: str) -> tuple[Say, ...]:
    return tuple(Say("text", v) for v in values)


def presses(*values: str) -> tuple[Say, ...]:
    return tuple(Say("press", v) for v in values)


SIGNUP: tuple[Step, ...] = (
    Step("first message", texts("halo", "Halo kak", "permisi"), 1, "consent:"),
    Step("consent", texts("setuju", "iya setuju"), 2, "name:"),
    Step("profile name", texts("ya", "iya", "benar"), 2, "cat:"),
    Step(
        "category",
        presses("cat:youth", "cat:former_inmate", "cat:bapas_client")
        + texts("remaja", "mantan napi", "klien bapas"),
        1,
    ),
    Step(
        "city",
        texts("kab. serang", "kota ambon", "jaksel", "kota bandung", "makassar", "kab. sleman"),
        1,
        "zone:",
    ),
    Step("time zone", texts("benar", "iya", "betul"), 1, "keyboard"),
    Step("phone", texts("0812 3456 7890"), 2, "int:"),  # the number is made per participant
    Step(
        "interests",
        texts("pelatihan dan konseling", "pelatihan kerja", "konseling, hukum", "usaha"),
        2,
        "time:",
    ),
    Step(
        "time of day",
        presses("time:morning", "time:midday", "time:afternoon", "time:evening"),
        1,
        "discreet:",
    ),
    # A former inmate is asked whether to turn discreet mode off ("Mau dimatikan?"), anyone else
    # whether to turn it on: either way any answer moves on to the summary.
    Step("discreet", texts("iya", "tidak", "ya"), 1, "summary:"),
    Step("summary", texts("benar", "betul"), 1),
)
AFTER: tuple[Step, ...] = (  # cycled after the sign-up when --messages asks for more
    Step("/jadwal", texts("/jadwal"), 1),
    # A thank-you is answered; anything else is passed on to the person's caseworker, with one
    # reply that says so.
    Step("free text", texts("terima kasih", "ok makasih", "kapan pelatihannya?"), 1),
    Step("/profil", texts("/profil"), 1, "profile:"),
    Step("/start", texts("/start"), 1, "cmd:"),
)
DEFAULT_AFTER = 3  # the whole script: sign-up, then /jadwal, a free text and /profil

NAMES = (
    "Budi Santoso", "Siti Aminah", "Agus Salim", "Dewi Lestari", "Rudi Hartono", "Wahyu",
    "Nur Aisyah", "Andi Pratama", "Rina Wati", "Joko", "Yohanes Rumbiak", "Made Sudarsana",
)  # fmt: skip


def script(messages: int) -> list[Step]:
    steps = list(SIGNUP[:messages])
    for i in range(max(0, messages - len(SIGNUP))):
        steps.append(AFTER[i % len(AFTER)])
    return steps


@dataclass
class Participant:
    user_id: int
    name: str
    plan: list[tuple[Step, Say]]


def make_participants(
    count: int, first_id: int, step_: int, steps: list[Step], seed: int
) -> list[Participant]:
    people = []
    for index in range(count):
        user_id = first_id + index * step_
        rng = random.Random(f"{seed}:{user_id}")
        plan = []
        for step in steps:
            say = rng.choice(step.variants)
            if step.name == "phone":
                say = Say("text", f"0812 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}")
            plan.append((step, say))
        people.append(Participant(user_id, rng.choice(NAMES), plan))
    return people
