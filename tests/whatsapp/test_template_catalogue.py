"""The template catalogue: what is registered with Meta, and template messages Meta accepts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.channels.whatsapp.templates import (
    REQUIRED_KEYS,
    TemplateCatalogueError,
    load_catalogue,
    parameter,
)
from handlers.types import Template
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of

REMINDER = Template(
    "reminder", ("Pelatihan menjahit", "Senin, 3 Juni, 09.00"), ("r:1:yes", "r:1:no", "r:1:later")
)
SAMPLES = {
    "reminder": REMINDER,
    "update": Template("update", ("Budi",), ("open:17",)),
    "relay": Template("relay", (), ("open:18",)),
    "link_code": Template("link_code", ("482913",)),
    "digest": Template("digest", ("4",), ("staff:dg:17",)),
    "checkin": Template("checkin", ("Siti",), ("kabar:start:19",)),
    "alert": Template(
        "alert",
        ("Yusuf (#12)", "Kabar: merasa sangat buruk (1 dari 5)."),
        ("staff:alshow:4", "staff:alack:4"),
    ),
    "broadcast": Template("broadcast", ("Dinas Sosial Kota Ambon",), ("open:20",)),
}


def test_the_shipped_catalogue_has_every_message_in_indonesian_and_english() -> None:
    catalogue = load_catalogue(None)
    assert set(REQUIRED_KEYS) <= set(catalogue.specs)
    for key in REQUIRED_KEYS:
        spec = catalogue.spec(key)
        assert set(spec.texts) >= {"id", "en"}, key
        assert {t.parameters for t in spec.texts.values()} == {len(SAMPLES[key].params)}
    assert catalogue.spec("reminder").text("id").quick_replies == (
        "Hadir",
        "Tidak bisa",
        "Jadwal ulang",
    )
    assert catalogue.spec("update").text("en").quick_replies == ("Open",)
    assert catalogue.spec("link_code").category == "AUTHENTICATION"
    assert catalogue.spec("reminder").category == catalogue.spec("update").category == "UTILITY"


def test_the_update_template_names_no_institution() -> None:
    """Lock screens are seen by others: the text must not say prison, Bapas, rehab..."""
    catalogue = load_catalogue(None)
    for text in [*catalogue.spec("update").texts.values(), *catalogue.spec("relay").texts.values()]:
        words = text.body.casefold()
        assert not any(w in words for w in ("lapas", "rutan", "bapas", "penjara", "prison", "bnn"))


@pytest.mark.parametrize("language", ["id", "en"])
async def test_every_template_message_is_accepted_by_the_fake_graph_api(language: str) -> None:
    catalogue = load_catalogue(None)
    async with FakeGraphAPI(templates=shapes_of(catalogue)) as fake, httpx.AsyncClient() as http:
        for key, template in SAMPLES.items():
            body = {"messaging_product": "whatsapp", "to": "6281234567890"}
            body |= catalogue.payload(template, language)
            response = await http.post(
                f"{fake.api_url}/{fake.phone_number_id}/messages",
                json=body,
                headers={"Authorization": f"Bearer {fake.token}"},
            )
            assert response.status_code == 200, (key, response.json())
    [reminder, update, relay, *_others] = fake.messages_to("6281234567890")
    buttons = [c for c in reminder.message["template"]["components"] if c["type"] == "button"]
    assert [b["parameters"][0]["payload"] for b in buttons] == list(REMINDER.payloads)
    assert update.message["template"]["language"] == {"code": language}
    assert relay.message["template"]["name"] == "pendamping_pesan_pendamping"


def test_a_wrong_number_of_parameters_is_refused_before_sending() -> None:
    catalogue = load_catalogue(None)
    with pytest.raises(ValueError, match="takes 2 parameter"):
        catalogue.payload(Template("reminder", ("only one",)), "id")
    with pytest.raises(ValueError, match="no template 'nope'"):
        catalogue.payload(Template("nope"), "id")


def test_parameters_follow_metas_rules() -> None:
    assert parameter("Jl. Merdeka\n\tNo.  5      ") == "Jl. Merdeka No. 5"
    assert parameter("&lt;b&gt;*Budi*").replace("\u2060", "") == "<b>*Budi*"
    assert len(parameter("x" * 2000)) == 1024
    assert parameter("  ") == "-"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[reminder\n", "not valid TOML"),
        ('[reminder]\nname = "Bad Name"\ncategory = "UTILITY"\n', "name must be"),
        ('[reminder]\nname = "r"\ncategory = "PROMO"\n', "category must be one of"),
        ('[reminder]\nname = "r"\ncategory = "UTILITY"\n', "has no language"),
        (
            '[reminder]\nname = "r"\ncategory = "UTILITY"\n[reminder.id]\ncode = "id"\n'
            'body = "Halo {{2}}"\n',
            "number them",
        ),
        (
            '[reminder]\nname = "r"\ncategory = "UTILITY"\n[reminder.id]\ncode = "id"\nbody = "x"\n',
            "no template for update, relay, link_code",
        ),
    ],
)
def test_a_bad_catalogue_file_is_refused_naming_the_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "templates.toml"
    path.write_text(content)
    with pytest.raises(TemplateCatalogueError, match=problem):
        load_catalogue(str(path))
    with pytest.raises(TemplateCatalogueError, match="cannot read"):
        load_catalogue(str(tmp_path / "missing.toml"))


def test_the_digest_template_names_nobody_and_no_institution() -> None:
    """A staff member's lock screen: a count, never a participant's name or the institution."""
    spec = load_catalogue(None).spec("digest")
    assert spec.category == "UTILITY"
    assert spec.text("id").filled(("4",)) == (
        "Ringkasan pagi Anda siap: 4 orang perlu perhatian. Ketuk Buka untuk melihatnya."
    )
    assert spec.text("id").quick_replies == ("Buka",)
    for text in spec.texts.values():
        words = text.body.casefold()
        assert not any(w in words for w in ("lapas", "rutan", "bapas", "penjara", "prison", "bnn"))
