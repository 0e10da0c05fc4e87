"""Our HTML subset as WhatsApp markup; what a person typed shows as typed, never as formatting."""

from __future__ import annotations

import re

import pytest

from bot.channels.whatsapp.formatting import JOINER, split_html, to_whatsapp
from handlers.text import esc

# WhatsApp formats text between two markers that stand at a word's edge: nothing but a space,
# punctuation or the text's end outside them, and no space just inside them.
EDGE = r"[\s.,!?:;()\"']"
FORMATTED = {
    marker: re.compile(
        rf"(?:^|(?<={EDGE})){re.escape(marker)}(?=\S)(.+?)(?<=\S){re.escape(marker)}(?=$|{EDGE})"
    )
    for marker in ("*", "_", "~", "```")
}


def formatted_spans(text: str) -> dict[str, list[str]]:
    """What WhatsApp would show bold, italic, struck through or monospace."""
    return {m: [s.replace(JOINER, "") for s in p.findall(text)] for m, p in FORMATTED.items()}


def test_bold_and_italic_become_whatsapp_markers() -> None:
    assert to_whatsapp("Halo <b>Budi</b>, jadwal <i>besok</i>.") == "Halo *Budi*, jadwal _besok_."
    assert formatted_spans(to_whatsapp("<b>Jadwal</b> <i>Anda</i>")) == {
        "*": ["Jadwal"], "_": ["Anda"], "~": [], "```": []
    }  # fmt: skip


def test_entities_show_as_characters() -> None:
    assert to_whatsapp("a &lt; b &amp;&amp; c &gt; d") == "a < b && c > d"


def test_spaces_at_a_spans_edge_move_outside_its_markers() -> None:
    assert to_whatsapp("Kota:<b> Ambon </b>!") == "Kota: *Ambon* !"
    assert to_whatsapp("<b> </b>x") == " x"


def test_a_link_keeps_its_address() -> None:
    assert to_whatsapp('<a href="https://x.id">situs</a>') == "situs (https://x.id)"


@pytest.mark.parametrize(
    "typed", ["*Budi_", "~x~", "```", "*bold* and _it_", "a*b*c", "`kode`", "_*~`mix`~*_"]
)
def test_person_typed_markers_show_as_typed_and_format_nothing(typed: str) -> None:
    text = to_whatsapp(f"Halo {esc(typed)}, nama Anda <b>{esc(typed)}</b> sudah disimpan.")
    assert text.replace(JOINER, "") == f"Halo {typed}, nama Anda *{typed}* sudah disimpan."
    spans = formatted_spans(text)
    assert spans["*"] == [typed]  # only our own bold, and it still holds the whole name
    assert spans["_"] == spans["~"] == spans["```"] == []


def test_a_long_text_is_split_on_paragraphs_then_sentences_then_words() -> None:
    paragraph = "Satu dua tiga. " * 20  # 300 characters
    pieces = split_html("\n\n".join([paragraph.strip()] * 4), 700)
    assert pieces == ["\n\n".join([paragraph.strip()] * 2)] * 2
    sentences = split_html(paragraph.strip(), 100)
    assert all(p.endswith("tiga.") and len(p) <= 100 for p in sentences)
    assert " ".join(sentences) == paragraph.strip()
    words = split_html("kata " * 50, 24)
    assert all(len(p) <= 24 and not p.startswith(" ") for p in words)
    assert " ".join(words).split() == ["kata"] * 50


def test_bold_cut_in_two_is_bold_in_both_pieces() -> None:
    pieces = split_html("<b>" + "Kalimat panjang. " * 20 + "</b>", 120)
    assert len(pieces) > 1
    assert all(formatted_spans(to_whatsapp(p))["*"] for p in pieces)
