"""Sign-up: consent first, then name, category, place and time zone, phone, interests, time of day,
discreet mode. The questions with fixed options are choice steps (understanding/choice_step.py)."""

from __future__ import annotations

from handlers.flow import END, SIGNUP_TTL, Step, Turn
from handlers.i18n import _
from handlers.participants.interests import ask_interests, interests
from handlers.participants.labels import CATEGORIES, CONTACT_TIMES, DISCREET_BY_DEFAULT, options
from handlers.participants.names import name_in, valid_name
from handlers.participants.places import (
    ask_city,
    ask_province,
    ask_zone,
    ask_zone_pick,
    city,
    province,
    zone,
    zone_pick,
)
from handlers.participants.profile import describe, field_named
from handlers.participants.steps import after, is_yes, person, yes_no
from handlers.prerelease.planning import plan_what_staff_planned
from handlers.staff.assignment import assign_at_signup
from handlers.text import esc
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choice_step import choice_step
from handlers.understanding.choices import (
    NO_WORDS,
    YES_WORDS,
    Option,
    normalise,
    normalised_set,
    pick,
)
from handlers.understanding.phones import display_phone, normalise_phone
from storage.erasure import forget_address
from storage.models import ParticipantStatus
from storage.participants import create_participant

SKIP_WORDS = (
    "lewati",
    "skip",
    "lewat",
    "nanti",
    "nanti saja",
    "tidak punya",
    "gak punya",
    "ga ada",
)


async def ask_consent(turn: Turn) -> None:
    owner = turn.settings.program_name or _("the program's caseworkers")
    if len(turn.settings.channels) > 1:  # a person may have signed up on the other one
        # Its own short message, first, so the consent and its buttons still fit one screen.
        turn.say(_("Already signed up on Telegram or WhatsApp? Type HUBUNGKAN."))
    turn.say(
        _(
            "Hello! 👋 I am the assistant of <b>{owner}</b>: I remind you of your schedule and "
            "now and then ask how you are.\n\n"
            "We keep your name, city, phone number, interests, the best time to reach you, and "
            "whether you have been in prison or are a Bapas client. Only the program's staff see "
            "it. See or erase it at any time: /profil, /hapus.\n\n"
            "Do you agree?"
        ).format(owner=esc(owner)),
        (
            Button(_("I agree"), "consent:yes"),
            Button(_("I don't agree"), "consent:no"),
            Button(_("English"), "lang:en")
            if turn.language == "id"
            else Button("Bahasa Indonesia", "lang:id"),
        ),
    )


def consent_given(turn: Turn, incoming: Incoming) -> bool | None:
    """The answer to the consent question: True, False, or None when it must be asked again
    (what to do then has been said). Also used where a pre-registered person consents."""
    choice = pick(incoming, yes_no("consent", _("I agree"), _("I don't agree")))
    if choice is not None and not is_yes(choice) and _unsure(incoming):
        turn.say(
            _(
                "No problem, take your time. If something is unclear, you can ask the "
                'program\'s staff. When you are ready, choose "I agree" or "I don\'t agree".'
            )
        )
        return None
    if choice is None:
        turn.say(_('Please choose one of the buttons, or type "setuju" or "tidak".'))
        return None
    return is_yes(choice)


async def forget_refusal(turn: Turn) -> None:
    """Not even this chat is kept: the reply still goes out (it is addressed by the incoming
    message), and the message log keeps rows with no text and no owner for a few days."""
    await forget_address(turn.tx, turn.address.id)
    turn.erased = True


async def consent(turn: Turn, incoming: Incoming) -> str | None:
    """They agreed (or not) to the data we keep."""
    given = consent_given(turn, incoming)
    if given is None:
        return None
    if not given:
        await forget_refusal(turn)
        turn.say(
            _(
                "All right, no problem. We have not stored anything about you. "
                "If you change your mind, just type /start."
            )
        )
        return END
    participant = await create_participant(
        turn.tx,
        language=turn.language,
        timezone=turn.settings.default_timezone,
        consent_version=turn.settings.consent_version,
        now=turn.now,
    )
    participant.start_code = turn.data.get("start_code")
    turn.address.participant_id = participant.id
    turn.address.participant = participant
    turn.participant = participant
    turn.say(_("Thank you! Let's begin, it only takes a few minutes. ✍️"))
    return "signup.name"


UNSURE_WORDS = ("paham", "mengerti", "ngerti", "maksud", "maksudnya", "bingung", "apa",
                "gimana", "bagaimana", "kenapa", "mengapa", "tahu", "tau", "understand", "why")  # fmt: skip


def _unsure(incoming: Incoming) -> bool:
    """A question or "belum paham" is not a refusal, though it holds "tidak" or "belum"."""
    words = set(normalise(incoming.text).split())
    return "?" in incoming.text or bool(words & normalised_set(UNSURE_WORDS))


async def ask_name(turn: Turn) -> None:
    if turn.data.get("return_to"):
        turn.remember(name_typed=True)
    suggestion = turn.data.get("suggested_name")
    if suggestion is None and not turn.data.get("name_typed") and turn.incoming.profile_name:
        suggestion = valid_name(turn.incoming.profile_name)
        if suggestion:
            turn.remember(suggested_name=suggestion)
    if suggestion and not turn.data.get("name_typed"):
        turn.say(
            _("May I call you <b>{name}</b>?").format(name=esc(suggestion)),
            (Button(_("Yes, that's right"), "name:yes"), Button(_("Another name"), "name:other")),
        )
    else:
        turn.say(_("What is your name?"))


async def name(turn: Turn, incoming: Incoming) -> str | None:
    """They confirmed the profile name or typed their own."""
    suggestion = turn.data.get("suggested_name")
    if suggestion and not turn.data.get("name_typed"):
        choice = pick(
            incoming, [Option("name:yes", "", YES_WORDS), Option("name:other", "", NO_WORDS)]
        )
        if choice is not None and choice.payload == "name:yes":
            return _set_name(turn, suggestion)
        if choice is None and incoming.kind == Kind.BUTTON:  # a button of another question
            turn.say(_("That button is no longer valid."))
            return None
        if choice is not None:  # "Nama lain", or "bukan, nama saya Andi"
            typed = name_in(incoming.text) if incoming.kind == Kind.TEXT else None
            if typed is not None:
                return _set_name(turn, typed)
            turn.remember(name_typed=True)
            return None
    if incoming.kind != Kind.TEXT:
        turn.say(_("Please type your name."))
        return None
    typed = name_in(incoming.text)
    if typed is None:
        turn.say(
            _(
                "Sorry, that doesn't look like a name. Please type just your name, e.g. Budi Santoso."
            )
        )
        return None
    return _set_name(turn, typed)


def _set_name(turn: Turn, value: str) -> str:
    person(turn).name = value
    turn.forget("suggested_name", "name_typed")
    if not turn.data.get("return_to"):
        turn.say(_("Nice to meet you, {name}! 😊").format(name=esc(value)))
    return after(turn, "signup.category")


async def chose_category(turn: Turn, choice: Option) -> str:
    """They picked the group they belong to."""
    participant = person(turn)
    if choice.value in DISCREET_BY_DEFAULT and participant.category != choice.value:
        participant.discreet = True  # on by default for them; the discreet question offers "off"
    participant.category = choice.value
    return after(turn, "signup.city")


def own_number(turn: Turn) -> str | None:
    """The number the person writes from, where the platform tells us (WhatsApp), in E.164."""
    if turn.address.channel != "whatsapp":
        return None
    for value in (turn.address.value, turn.address.alias):
        if value and value.isdigit():
            return normalise_phone("+" + value)
    return None


async def ask_phone(turn: Turn) -> None:
    skip = (Button(_("Skip"), "phone:skip"),)
    own = own_number(turn)
    if own is not None:  # WhatsApp: the number is right there; one tap saves it
        turn.say(
            _(
                "May we have your phone number? Staff use it to reach you if the chat fails.\n\n"
                "Shall we save the number you are writing from, <b>{number}</b>? Or type "
                'another one. If you\'d rather not, choose "Skip".'
            ).format(number=display_phone(own)),
            (Button(_("Use this number"), "phone:own"), *skip),
        )
        return
    if not turn.incoming.contact_button:  # the terminal (and WhatsApp) has no such button
        turn.say(
            _(
                "May we have your phone number? Staff use it to reach you if the chat fails.\n\n"
                'Type it (e.g. 0812 3456 7890). If you\'d rather not, choose "Skip".'
            ),
            skip,
        )
        return
    turn.say(
        _(
            "May we have your phone number? Staff use it to reach you if the chat fails.\n\n"
            "Press the button below to share it, or type it (e.g. 0812 3456 7890). "
            'If you\'d rather not, press "Skip".'
        ),
        skip,
        share_phone=_("📱 Share my number"),
    )


async def phone(turn: Turn, incoming: Incoming) -> str | None:
    """They shared their contact, typed a number, or skipped."""
    participant = person(turn)
    if incoming.kind == Kind.CONTACT:
        if not incoming.own_contact:
            turn.say(_("That seems to be someone else's contact. Please share your own number."))
            return None
        number = normalise_phone(incoming.phone or "")
    elif (own := own_number(turn)) is not None and (
        incoming.payload == "phone:own"
        or normalise(incoming.text) in normalised_set((*YES_WORDS, "pakai nomor ini"))
    ):
        number = own
    elif incoming.payload == "phone:skip" or normalise(incoming.text) in normalised_set(
        SKIP_WORDS + NO_WORDS
    ):
        participant.phone = None
        turn.say(_("All right, no phone number."), remove_keyboard=True)
        return after(turn, "signup.interests")
    else:
        number = normalise_phone(incoming.text)
    if number is None:
        turn.say(_("That number doesn't look right. Please type it like this: 0812 3456 7890."))
        return None
    participant.phone = number
    turn.say(_("Thank you, your number is saved. ✅"), remove_keyboard=True)
    return after(turn, "signup.interests")


async def chose_time(turn: Turn, choice: Option) -> str:
    """They chose morning, midday, afternoon or evening."""
    person(turn).contact_time = choice.value
    return after(turn, "signup.discreet")


def _discreet_options(turn: Turn) -> list[Option]:
    """Yes/no to the question as it is asked now: "turn it on?" or, when it is on, "turn it off?".
    Payloads name the setting (discreet:yes = on), so an old button keeps its meaning."""
    if person(turn).discreet:
        return [
            Option("discreet:no", _("Yes, turn it off"), (*YES_WORDS, "matikan", "off")),
            Option("discreet:yes", _("No, keep it on"), (*NO_WORDS, "biarkan", "tetap", "on")),
        ]
    return [
        Option("discreet:yes", _("Yes, turn it on"), (*YES_WORDS, "nyalakan", "aktifkan", "on")),
        Option("discreet:no", _("No need"), (*NO_WORDS, "tidak perlu", "off")),
    ]


def _discreet_question(turn: Turn) -> str:
    if person(turn).discreet:
        return _(
            "Discreet mode is on: our messages do not use words such as Bapas, Lapas or wajib "
            "lapor, so nobody reads them on your locked phone screen. Do you want to turn it off?"
        )
    return _(
        "Messages can show on a locked phone screen. Shall we turn on discreet mode? Then our "
        "messages will not use words such as Bapas, Lapas or wajib lapor."
    )


async def chose_discreet(turn: Turn, choice: Option) -> str:
    """They chose whether messages may name the institution."""
    person(turn).discreet = choice.value == "yes"
    return after(turn, "signup.summary")


async def ask_summary(turn: Turn) -> None:
    turn.forget("return_to")
    turn.say(
        _("Here is what you told us:")
        + "\n\n"
        + describe(person(turn))
        + "\n\n"
        + _("Is everything correct?"),
        (Button(_("Correct"), "summary:yes"), Button(_("Change"), "summary:no")),
    )


async def summary(turn: Turn, incoming: Incoming) -> str | None:
    """They confirmed their data, or want to change something."""
    field = field_named(incoming)  # "ganti kota": straight to that question
    if field is not None:
        turn.remember(return_to="signup.summary")
        return field
    choice = pick(incoming, yes_no("summary", _("Correct"), _("Change")))
    if choice is None:
        turn.say(_('Please press "Correct" or "Change".'))
        return None
    if not is_yes(choice):
        turn.remember(return_to="signup.summary")
        return "edit.pick"
    participant = person(turn)
    participant.status = ParticipantStatus.ACTIVE
    participant.registered_at = turn.now
    await assign_at_signup(turn.tx, participant, channel=turn.address.channel, now=turn.now)
    turn.say(
        _(
            "Thank you, {name}! You are signed up. ✅\n\n"
            "What happens next: the program's staff will see your details and contact you. "
            "We will remind you before each training or appointment, and now and then ask how "
            "you are doing.\n\n"
            "Type /bantuan at any time to see what I can do."
        ).format(name=esc(participant.name or ""))
    )
    await plan_what_staff_planned(turn, participant)  # a person registered before release
    return END


SIGNUP: dict[str, Step] = {
    "signup.consent": Step(ask_consent, consent, ttl=SIGNUP_TTL),
    "signup.name": Step(ask_name, name, ttl=SIGNUP_TTL),
    "signup.category": choice_step(
        question=lambda turn: _("Which of these describes you best?"),
        options=lambda turn: options(CATEGORIES, "cat"),
        on_choice=chose_category,
        ttl=SIGNUP_TTL,
    ),
    "signup.city": Step(ask_city, city, ttl=SIGNUP_TTL),
    "signup.province": Step(ask_province, province, ttl=SIGNUP_TTL),
    "signup.zone": Step(ask_zone, zone, ttl=SIGNUP_TTL),
    "signup.zone_pick": Step(ask_zone_pick, zone_pick, ttl=SIGNUP_TTL),
    "signup.phone": Step(
        ask_phone, phone, accepts=frozenset({Kind.TEXT, Kind.BUTTON, Kind.CONTACT}), ttl=SIGNUP_TTL
    ),
    "signup.interests": Step(ask_interests, interests, ttl=SIGNUP_TTL),
    "signup.time": choice_step(
        question=lambda turn: _("When is the best time for us to send you messages?"),
        options=lambda turn: options(CONTACT_TIMES, "time"),
        on_choice=chose_time,
        ttl=SIGNUP_TTL,
    ),
    "signup.discreet": choice_step(
        question=_discreet_question,
        options=_discreet_options,
        on_choice=chose_discreet,
        ttl=SIGNUP_TTL,
    ),
    "signup.summary": Step(ask_summary, summary, ttl=SIGNUP_TTL),
}
