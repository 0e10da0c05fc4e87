"""The reusable choice step, on its own: a check-in style rating (1-5 with emoji) and a yes/no."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from handlers.flow import END, FlowSettings, Step, Turn
from handlers.i18n import N_, _, use_language
from handlers.types import Incoming, Kind
from handlers.understanding.choice_step import choice_step
from handlers.understanding.choices import NO_WORDS, YES_WORDS, Option, normalise, pick
from storage.conversations import ConversationState
from storage.db import Database
from storage.models import Address

RATINGS = (
    ("5", N_("Very good"), ("sangat baik", "mantap", "joss"), ("😁", "🤩")),
    ("4", N_("Good"), ("baik", "oke", "lumayan"), ("🙂", "😊")),
    ("3", N_("So-so"), ("biasa", "gitu gitu aja", "b aja"), ("😐",)),
    ("2", N_("Bad"), ("kurang", "buruk", "gak enak"), ("🙁", "😕")),
    ("1", N_("Very bad"), ("sangat buruk", "parah", "hancur"), ("😢", "😭")),
)  # test-only titles: the translations are not needed, the words are what is tested


def rating_options(turn: Turn) -> list[Option]:
    return [Option(f"mood:{code}", _(t), words, emoji) for code, t, words, emoji in RATINGS]


def yes_no_options(turn: Turn) -> list[Option]:
    return [Option("ok:yes", _("Yes"), YES_WORDS), Option("ok:no", _("No"), NO_WORDS)]


async def save_rating(turn: Turn, choice: Option) -> str:
    turn.remember(mood=choice.value)
    return END


async def save_yes_no(turn: Turn, choice: Option) -> str:
    turn.remember(ok=choice.value == "yes")
    return END


MOOD: Step = choice_step(
    question=lambda turn: _("How are you this week?"),
    options=rating_options,
    on_choice=save_rating,
)
OK: Step = choice_step(
    question=lambda turn: _("Is everything correct?"),
    options=yes_no_options,
    on_choice=save_yes_no,
)


@pytest.fixture
async def turn(db: Database) -> AsyncIterator[Turn]:
    async with db.transaction() as tx:
        with use_language("id"):
            yield Turn(
                tx=tx,
                incoming=Incoming("console", "1", Kind.TEXT, "halo"),
                address=Address(id=1, channel="console", value="1"),
                conversation=ConversationState(address_id=1),
                participant=None,
                settings=FlowSettings(),
                now=datetime(2026, 12, 1, 9, tzinfo=UTC),
            )


def typed(text: str) -> Incoming:
    return Incoming("console", "1", Kind.TEXT, text)


def pressed(payload: str) -> Incoming:
    return Incoming("console", "1", Kind.BUTTON, payload=payload)


async def test_asks_the_question_with_one_button_per_option(turn: Turn) -> None:
    await MOOD.ask(turn)
    [reply] = turn.replies
    assert reply.text == "How are you this week?"  # no translation: the test's own msgid
    assert [b.payload for b in reply.buttons] == ["mood:5", "mood:4", "mood:3", "mood:2", "mood:1"]
    assert [b.title for b in reply.buttons][:2] == ["Very good", "Good"]


@pytest.mark.parametrize(
    ("answer", "mood"),
    [
        (pressed("mood:2"), "2"),  # the button
        (typed("1"), "5"),  # its number in the list (the first button)
        (typed("5"), "1"),
        (typed("Good"), "4"),  # its title
        (typed("lumayan kok"), "4"),  # its words, inside a sentence
        (typed("b aja"), "3"),  # slang
        (typed("PARAHHH"), "1"),  # shouted, letters repeated
        (typed("sangat baik"), "5"),  # the longer phrase wins over "baik"
        (typed("😊"), "4"),  # an emoji the option lists
        (typed("🙁🙁"), "2"),
        (typed("😁👍🏽"), "5"),  # skin tone and another emoji do not get in the way
        (typed("☺️ 🤩"), "5"),
    ],
)
async def test_hears_the_choice_however_it_is_given(
    turn: Turn, answer: Incoming, mood: str
) -> None:
    assert await MOOD.answer(turn, answer) == END
    assert turn.data["mood"] == mood
    assert turn.replies == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [("iya", True), ("Iyaaa 👍", True), ("ok", True), ("gak", False), ("nggak", False),
     ("👎", False), ("❌", False), ("2", False)],
)  # fmt: skip
async def test_yes_no_hears_slang_and_emoji(turn: Turn, text: str, ok: bool) -> None:
    assert await OK.answer(turn, typed(text)) == END
    assert turn.data["ok"] is ok


@pytest.mark.parametrize("text", ["mungkin", "7", "0", "😴", "😊😢", "baik tapi parah"])
async def test_an_unclear_answer_gets_a_kind_word_and_the_question_again(
    turn: Turn, text: str
) -> None:
    assert await MOOD.answer(turn, typed(text)) is None  # the engine asks again on None
    assert [r.text for r in turn.replies] == ["Silakan pilih salah satu tombol."]
    assert "mood" not in turn.data


async def test_an_old_button_of_another_question_is_not_taken_for_a_choice(turn: Turn) -> None:
    assert await MOOD.answer(turn, pressed("ok:yes")) is None
    assert await MOOD.answer(turn, pressed("mood:9")) is None
    assert [r.text for r in turn.replies] == ["Tombol itu sudah tidak berlaku."] * 2
    assert "mood" not in turn.data


async def test_a_step_may_say_its_own_retry_words(turn: Turn) -> None:
    step = choice_step(
        question=lambda turn: _("Is everything correct?"),
        options=yes_no_options,
        on_choice=save_yes_no,
        retry=N_('Please press "Correct" or "Change".'),
    )
    assert await step.answer(turn, typed("entahlah")) is None
    assert [r.text for r in turn.replies] == ['Silakan tekan "Benar" atau "Ubah".']


def test_a_typed_number_of_two_digits_is_that_number() -> None:
    """Numbered text (more options than WhatsApp's list holds) is answered "11", "12"..."""
    options = [Option(f"opt:{n}", f"Pilihan {n}") for n in range(1, 13)]
    typed = Incoming("whatsapp", "1", Kind.TEXT, text="11")
    chosen = pick(typed, options)
    assert chosen is not None and chosen.payload == "opt:11"
    assert normalise("iyaaa 22") == "iya 22"  # letters fold, digits do not
