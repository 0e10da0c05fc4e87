"""A reply in whichever WhatsApp shape fits: text, reply buttons, a list, or numbered text."""

from __future__ import annotations

from bot.channels.whatsapp.render import render
from handlers.types import Button, Reply

YES_NO = (Button("Ya", "q:yes"), Button("Tidak", "q:no"))


def messages(reply: Reply) -> list[dict[str, object]]:
    return [part.message for part in render(reply)]


def test_a_reply_without_buttons_is_one_text_message() -> None:
    assert messages(Reply("Halo <b>Budi</b>")) == [
        {"type": "text", "text": {"body": "Halo *Budi*", "preview_url": False}}
    ]


def test_up_to_three_short_buttons_are_reply_buttons() -> None:
    [message] = messages(Reply("Setuju?", (*YES_NO, Button("Nanti saja", "q:later"))))
    interactive = message["interactive"]
    assert interactive == {
        "type": "button",
        "body": {"text": "Setuju?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "q:yes", "title": "Ya"}},
                {"type": "reply", "reply": {"id": "q:no", "title": "Tidak"}},
                {"type": "reply", "reply": {"id": "q:later", "title": "Nanti saja"}},
            ]
        },
    }


def test_four_to_ten_options_are_a_list_with_a_localized_button() -> None:
    options = tuple(Button(f"Pilihan {n}", f"c:{n}") for n in range(1, 11))
    [indonesian] = messages(Reply("Pilih kota", options))
    [english] = messages(Reply("Pick a city", options, language="en"))
    action = indonesian["interactive"]["action"]  # type: ignore[index]
    assert indonesian["interactive"]["type"] == "list"  # type: ignore[index]
    assert action["button"] == "Pilih"
    assert english["interactive"]["action"]["button"] == "Choose"  # type: ignore[index]
    assert [r["id"] for r in action["sections"][0]["rows"]] == [f"c:{n}" for n in range(1, 11)]
    assert action["sections"][0]["rows"][0] == {"id": "c:1", "title": "Pilihan 1"}


def test_a_title_too_long_for_a_button_makes_a_list_and_a_longer_one_a_description() -> None:
    long = "Kabupaten Kepulauan Seribu Utara"  # 32 characters
    [message] = messages(
        Reply("Kota?", (Button("Jakarta Selatan Raya 1", "c:1"), Button(long, "c:2")))
    )
    rows = message["interactive"]["action"]["sections"][0]["rows"]  # type: ignore[index]
    assert message["interactive"]["type"] == "list"  # type: ignore[index]
    assert rows[0] == {"id": "c:1", "title": "Jakarta Selatan Raya 1"}
    assert len(rows[1]["title"]) == 24 and rows[1]["title"].endswith("…")
    assert rows[1]["description"] == long


def test_more_than_ten_options_are_numbered_text_answered_by_number() -> None:
    options = tuple(Button(f"Kota {n}", f"c:{n}") for n in range(1, 13))
    [message] = messages(Reply("Di kota mana?", options))
    body = message["text"]["body"]  # type: ignore[index]
    lines = body.split("\n")
    assert lines[0] == "Di kota mana?"
    assert lines[2:14] == [f"{n}. Kota {n}" for n in range(1, 13)]
    assert lines[-1] == "Balas dengan nomor pilihan Anda."


def test_a_long_text_goes_in_several_messages_each_within_the_limit() -> None:
    paragraph = "Ini kalimat yang cukup panjang untuk diuji. " * 40
    parts = render(Reply("\n\n".join([paragraph.strip()] * 5)))
    bodies = [p.message["text"]["body"] for p in parts]
    assert len(bodies) == 3
    assert all(len(b) <= 4096 for b in bodies)
    assert "\n\n".join(bodies) == "\n\n".join([paragraph.strip()] * 5)
    assert parts[1].rest.text == "\n\n".join(bodies[1:])  # what is still to send from there


def test_a_long_question_sends_its_start_as_text_and_its_end_with_the_buttons() -> None:
    text = "Kalimat pembuka yang panjang. " * 60 + "Apakah Anda setuju?"
    parts = render(Reply(text, YES_NO))
    assert [p.message["type"] for p in parts] == ["text", "interactive"]
    body = parts[1].message["interactive"]["body"]["text"]
    assert len(body) <= 1024 and body.endswith("Apakah Anda setuju?")
    assert body.startswith("Kalimat pembuka")  # cut on a sentence boundary
    head = parts[0].message["text"]["body"]
    assert f"{head} {body}" == text
    assert parts[1].rest.buttons == YES_NO


def test_phone_sharing_edits_and_keyboard_removal_become_plain_sends() -> None:
    reply = Reply("Nomor HP Anda?", share_phone="📱 Bagikan", edit_ref="12", remove_keyboard=True)
    assert messages(reply) == [
        {"type": "text", "text": {"body": "Nomor HP Anda?", "preview_url": False}}
    ]


def test_an_empty_reply_sends_nothing() -> None:
    assert render(Reply("")) == []


def test_slash_commands_are_shown_as_the_words_whatsapp_users_type() -> None:
    [part] = render(
        Reply("Ketik /jadwal untuk melihat jadwal, /bantuan kalau bingung, /start lagi.")
    )
    assert part.message["text"]["body"] == (
        "Ketik JADWAL untuk melihat jadwal, BANTUAN kalau bingung, MENU lagi."
    )
    [part] = render(Reply("Lihat https://contoh.id/jadwal dan /jadwalku"))  # not commands
    assert part.message["text"]["body"] == "Lihat https://contoh.id/jadwal dan /jadwalku"
