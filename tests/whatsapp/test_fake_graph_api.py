"""The fake Graph API refuses what Meta refuses, so the channel's tests mean something."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.channels.whatsapp.templates import load_catalogue
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of

PHONE = "6281234567890"
CATALOGUE = load_catalogue(None)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(CATALOGUE)) as api:
        api.person_wrote(PHONE)
        yield api


async def post(
    fake: FakeGraphAPI, body: dict[str, Any], token: str | None = None
) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{fake.api_url}/{fake.phone_number_id}/messages",
            json={"messaging_product": "whatsapp", **body},
            headers={"Authorization": f"Bearer {token or fake.token}"},
        )


def buttons(*titles: str) -> dict[str, Any]:
    return {
        "to": PHONE,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pilih"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": f"b{n}", "title": t}}
                    for n, t in enumerate(titles)
                ]
            },
        },
    }


def same_ids(body: dict[str, Any]) -> dict[str, Any]:
    for button in body["interactive"]["action"]["buttons"]:
        button["reply"]["id"] = "same"
    return body


def listed(rows: list[dict[str, str]], label: str = "Pilih") -> dict[str, Any]:
    return {
        "to": PHONE,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Pilih"},
            "action": {"button": label, "sections": [{"rows": rows}]},
        },
    }


def rows(count: int, title: str = "Baris") -> list[dict[str, str]]:
    return [{"id": f"r{n}", "title": title} for n in range(count)]


async def test_a_valid_text_is_accepted_with_metas_success_envelope(fake: FakeGraphAPI) -> None:
    response = await post(fake, {"to": PHONE, "type": "text", "text": {"body": "Halo"}})
    assert response.status_code == 200
    answer = response.json()
    assert answer["contacts"] == [{"input": PHONE, "wa_id": PHONE}]
    [message] = await fake.wait_for(PHONE, 1)
    assert answer["messages"] == [{"id": message.wamid}]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (buttons("a", "b", "c", "d"), 131009),  # four reply buttons
        (buttons("x" * 21), 100),  # a title over 20 characters
        (same_ids(buttons("a", "b")), 131009),  # two buttons with one id
        (listed(rows(11)), 131009),  # eleven rows
        (listed(rows(2, "y" * 25)), 100),  # a row title over 24 characters
        (listed(rows(2), "z" * 21), 100),  # a list button label over 20 characters
        (listed([{"id": "r", "title": "a"}, {"id": "r", "title": "b"}]), 131009),  # same ids
        ({"to": PHONE, "type": "text", "text": {"body": "x" * 4097}}, 100),
        ({"to": PHONE, "recipient": "ID.1", "type": "text", "text": {"body": "x"}}, 131008),
        (
            {
                "to": PHONE,
                "type": "template",
                "template": {"name": "nope", "language": {"code": "id"}},
            },
            132001,
        ),
    ],
)
async def test_what_meta_refuses_is_refused_with_its_code(
    fake: FakeGraphAPI, body: dict[str, Any], code: int
) -> None:
    response = await post(fake, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert fake.messages_to(PHONE) == []


async def test_a_template_with_the_wrong_number_of_parameters_is_refused(
    fake: FakeGraphAPI,
) -> None:
    spec = CATALOGUE.spec("reminder")
    template = {
        "name": spec.name,
        "language": {"code": "id"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "satu"}]}],
    }
    response = await post(fake, {"to": PHONE, "type": "template", "template": template})
    assert response.json()["error"]["code"] == 132000


async def test_a_wrong_token_is_refused_with_401(fake: FakeGraphAPI) -> None:
    response = await post(fake, {"to": PHONE, "type": "text", "text": {"body": "x"}}, token="bad")
    assert response.status_code == 401 and response.json()["error"]["code"] == 190


async def test_a_closed_window_can_be_reported_later_as_a_failed_status() -> None:
    statuses: list[dict[str, Any]] = []
    async with FakeGraphAPI(window_failure="status", on_status=statuses.append) as fake:
        response = await post(fake, {"to": PHONE, "type": "text", "text": {"body": "Halo"}})
        assert response.status_code == 200
        await fake.wait_for_answer(131047)
    [status] = statuses
    assert status["id"] == response.json()["messages"][0]["id"]
    assert status["status"] == "failed" and status["recipient_id"] == PHONE
    assert status["errors"][0]["code"] == 131047
    assert fake.messages_to(PHONE) == []


async def test_throughput_beyond_the_limit_answers_130429() -> None:
    async with FakeGraphAPI(per_second=5) as fake:  # a burst of at most one message
        for n in range(3):
            fake.person_wrote(f"62800{n}")
        answers = [
            (
                await post(fake, {"to": f"62800{n}", "type": "text", "text": {"body": "x"}})
            ).status_code
            for n in range(3)
        ]
    assert answers[0] == 200 and 400 in answers[1:]
    assert fake.answers[130429] >= 1


async def test_too_many_messages_to_one_person_answers_131056() -> None:
    async with FakeGraphAPI(pair_burst=2) as fake:
        fake.person_wrote(PHONE)
        codes = [
            (await post(fake, {"to": PHONE, "type": "text", "text": {"body": "x"}})).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 400]
    assert fake.answers == {131056: 1}


async def test_delivery_can_be_reported_as_statuses() -> None:
    statuses: list[dict[str, Any]] = []
    async with FakeGraphAPI(report_delivery=True, on_status=statuses.append) as fake:
        fake.person_wrote(PHONE)
        response = await post(fake, {"to": PHONE, "type": "text", "text": {"body": "Halo"}})
    wamid = response.json()["messages"][0]["id"]
    assert [(s["id"], s["status"], s["recipient_id"]) for s in statuses] == [
        (wamid, "sent", PHONE),
        (wamid, "delivered", PHONE),
    ]
