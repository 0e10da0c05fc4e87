"""The fakes' file routes answer as the real APIs document: the Graph API's media upload,
media URL (with the token, for 5 minutes) and document message checks; the Bot API's getFile,
its download route and an empty upload refused."""

from __future__ import annotations

import httpx

from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI

PHONE = "6281234567890"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_the_graph_api_checks_uploads_media_urls_and_document_messages() -> None:
    clock = Clock()
    async with FakeGraphAPI(clock=clock) as fake, httpx.AsyncClient() as http:
        auth = {"Authorization": f"Bearer {fake.token}"}
        media = f"{fake.api_url}/{fake.phone_number_id}/media"
        form = {"messaging_product": "whatsapp", "type": "text/plain"}
        file = {"file": ("a.csv", b"x,y\n", "text/plain")}
        uploaded = await http.post(media, data=form, files=file, headers=auth)
        assert uploaded.status_code == 200
        media_id = uploaded.json()["id"]

        no_product = await http.post(media, data={"type": "text/plain"}, files=file, headers=auth)
        assert no_product.json()["error"]["code"] == 100
        csv_type = {**form, "type": "text/csv"}
        refused = await http.post(
            media, data=csv_type, files={"file": ("a.csv", b"x", "text/csv")}, headers=auth
        )
        assert refused.json()["error"]["code"] == 131053  # not a type WhatsApp sends
        no_token = await http.post(media, data=form, files=file)
        assert no_token.status_code == 401

        info = (await http.get(f"{fake.api_url}/{media_id}", headers=auth)).json()
        assert (info["mime_type"], info["file_size"]) == ("text/plain", 4)
        assert (await http.get(info["url"])).status_code == 404  # the token is needed
        assert (await http.get(info["url"], headers=auth)).content == b"x,y\n"
        clock.now += 301
        assert (await http.get(info["url"], headers=auth)).status_code == 404  # expired
        unknown = await http.get(f"{fake.api_url}/4490000000999999", headers=auth)
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100

        fake.person_wrote(PHONE)
        messages = f"{fake.api_url}/{fake.phone_number_id}/messages"
        base = {"messaging_product": "whatsapp", "to": PHONE, "type": "document"}
        sent = await http.post(
            messages, json={**base, "document": {"id": media_id, "filename": "a.csv"}}, headers=auth
        )
        assert sent.status_code == 200
        long_caption = {"id": media_id, "caption": "x" * 1025}
        too_long = await http.post(messages, json={**base, "document": long_caption}, headers=auth)
        assert too_long.json()["error"]["code"] == 100
        wrong_id = await http.post(messages, json={**base, "document": {"id": "1"}}, headers=auth)
        assert wrong_id.json()["error"]["code"] == 131053
        both = {"id": media_id, "link": "https://example.org/a.csv"}
        assert (await http.post(messages, json={**base, "document": both}, headers=auth)).json()[
            "error"
        ]["code"] == 131008
        assert [r.kind for r in fake.messages_to(PHONE)] == ["document"]


async def test_the_bot_api_serves_getfile_and_downloads_and_refuses_an_empty_upload() -> None:
    async with FakeTelegramAPI() as fake, httpx.AsyncClient() as http:
        user = fake.user(7001, first_name="Budi")
        update = user.document_update("jadwal.csv", "text/csv", b"program\n")
        file_id = update["message"]["document"]["file_id"]
        bot = f"{fake.url}/bot{fake.token}"
        found = (await http.post(f"{bot}/getFile", json={"file_id": file_id})).json()
        assert found["ok"] and found["result"]["file_size"] == len(b"program\n")
        path = found["result"]["file_path"]
        downloaded = await http.get(f"{fake.url}/file/bot{fake.token}/{path}")
        assert downloaded.content == b"program\n"
        wrong = await http.get(f"{fake.url}/file/bot123:wrong/{path}")
        assert wrong.status_code == 404
        bad_id = (await http.post(f"{bot}/getFile", json={"file_id": "nope"})).json()
        assert bad_id["description"] == "Bad Request: invalid file_id"

        user.send_text("/start")
        empty = await http.post(
            f"{bot}/sendDocument",
            data={"chat_id": str(user.chat_id)},
            files={"document": ("a.csv", b"", "text/csv")},
        )
        assert empty.json()["description"] == "Bad Request: file must be non-empty"
