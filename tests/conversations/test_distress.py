"""The recogniser of cries for help, on the ways people really type (slang, typos, no spaces)."""

from __future__ import annotations

import pytest

from handlers.understanding.distress import Risk, recognise

CASES = [
    # self-harm, with slang, abbreviations, repeated letters and one typo
    ("aku pengen mati aja", Risk.SELF_HARM),
    ("pgn matiii", Risk.SELF_HARM),
    ("sy mau bunuh dri", None),  # two letters off in a short word: too far to be sure
    ("sy mau bunih diri", Risk.SELF_HARM),
    ("udah ga kuat lagi ya allah", Risk.SELF_HARM),
    ("capek hidup terus begini", Risk.SELF_HARM),
    ("mending mati daripada balik ke sana", Risk.SELF_HARM),
    ("I want to die", Risk.SELF_HARM),
    ("kemarin saya nyayat tangan", Risk.SELF_HARM),
    # violence
    ("sy dipukulin suami", Risk.VIOLENCE),
    ("saya diancam preman", Risk.VIOLENCE),
    ("adik sy dibacok", Risk.VIOLENCE),
    # arrest
    ("kak aku ketangkep", Risk.ARREST),
    ("saya diciduk polisi tadi", Risk.ARREST),
    ("lagi di polsek sekarang", Risk.ARREST),
    # relapse
    ("maaf saya make lagi", Risk.RELAPSE),
    ("kemarin nyabu sama temen", Risk.RELAPSE),
    ("saya kambuh", Risk.RELAPSE),
    # hardship: for staff, not an alarm
    ("tolong saya butuh bantuan", Risk.HARDSHIP),
    ("anak saya masuk rumah sakit", Risk.HARDSHIP),
    ("diusir dari kos", Risk.HARDSHIP),
    # ordinary messages
    ("saya hadir besok", None),
    ("jam 7 saya berangkat naik motor", None),
    ("hp saya mau mati baterainya", None),
    ("terima kasih pak", None),
    ("tidak masalah", None),
    ("Sabu Raijua", None),  # a regency in NTT, not the drug
    ("kemarin pake sabu lagi", Risk.RELAPSE),
    ("", None),
]


@pytest.mark.parametrize(("text", "risk"), CASES)
def test_recognise(text: str, risk: Risk | None) -> None:
    assert recognise(text) == risk


def test_self_harm_outranks_everything_else() -> None:
    assert recognise("tolong, saya ditangkap dan pengen bunuh diri") == Risk.SELF_HARM


def test_every_risk_is_recognised_by_some_case() -> None:
    assert {risk for _t, risk in CASES} >= set(Risk)


def test_no_place_in_indonesia_sounds_like_danger() -> None:
    """Place names are typed in sign-up: a city must never set off an alarm."""
    from handlers.regions.table import load

    data = load()
    names = [r.label("id") for r in data.regencies] + [p.name for p in data.provinces]
    assert len(names) > 500
    assert [name for name in names if recognise(name) not in (None, Risk.HARDSHIP)] == []
