"""Recognising a plan for getting to a session: a time to leave or a way to travel."""

from __future__ import annotations

import re

from handlers.understanding.phrases import Phrases

# "jam 7", "pukul 06.30", "7.30", "07:15", "jam tujuh", "7 pagi", "habis subuh".
_TIME = re.compile(
    r"\b(jam|jm|pukul|pkl)\s*(\d|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh"
    r"|sebelas|dua belas|setengah)"
    r"|\b\d{1,2}[.:]\d{2}\b"
    r"|\b\d{1,2}\s*(pagi|siang|sore|malam|am|pm)\b"
    r"|\b(habis|setelah|sesudah|abis)\s+(subuh|sholat|solat|shalat|sarapan|zuhur|dzuhur)"
)
_TRAVEL = Phrases(
    (
        "berangkat", "brangkat", "otw", "on the way", "jalan dari", "naik motor", "naik ojek",
        "ojek", "ojol", "gojek", "grab", "maxim", "angkot", "angkutan", "naik bus", "bus", "bis",
        "travel", "kereta", "krl", "becak", "sepeda", "jalan kaki", "diantar", "dianter",
        "diantar*", "nebeng", "dijemput", "bonceng*", "naik mobil", "bawa motor", "leave at",
        "i will leave", "by bus", "by motorbike",
    )
)  # fmt: skip


def looks_like_a_plan(text: str) -> bool:
    """True when the text says when the person leaves or how they travel."""
    folded = text.casefold()
    return _TIME.search(folded) is not None or _TRAVEL.in_text(text)
