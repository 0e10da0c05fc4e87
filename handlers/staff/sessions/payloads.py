"""The arguments of this package's buttons ("staff:<action>:<argument>"), built and read here
only: numbers joined by dots ("12.34.1"), and a reference to an answer ("e12": enrolment 12,
"o34": appointment occurrence 34). Every one is checked again by the action it reaches."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.staff.commands import staff_payload
from handlers.staff.scope import MAX_ID_DIGITS


def payload(action: str, *parts: int | str) -> str:
    return staff_payload(action, ".".join(str(part) for part in parts))


def numbers(argument: str, count: int) -> tuple[int, ...] | None:
    """Exactly `count` numbers from "12.34"; None for anything else (forged or garbled)."""
    parts = argument.strip().split(".")
    if len(parts) != count or not all(p.isdigit() and len(p) <= MAX_ID_DIGITS for p in parts):
        return None
    return tuple(int(part) for part in parts)


class AnswerKind(StrEnum):
    ENROLMENT = "e"  # a seat in a session (storage: enrolments)
    OCCURRENCE = "o"  # one date of an appointment (storage: occurrences)


@dataclass(frozen=True)
class AnswerRef:
    kind: AnswerKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.value}{self.id}"

    @classmethod
    def parse(cls, text: str) -> AnswerRef | None:
        head, number = text[:1], text[1:]
        if head not in AnswerKind._value2member_map_ or not number.isdigit():
            return None
        if len(number) > MAX_ID_DIGITS:
            return None
        return cls(AnswerKind(head), int(number))
