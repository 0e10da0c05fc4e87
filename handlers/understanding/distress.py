"""Recognising a cry for help in free text: self-harm, violence, arrest, relapse, hardship.

Used wherever a participant types freely (after a reminder, outside any question, and later in
check-ins). It errs on the side of caution: a false alarm costs a caseworker a minute, a missed
one may cost a life. Indonesian first, with slang, common abbreviations and one typo per word.
"""

from __future__ import annotations

from enum import StrEnum

from handlers.understanding.choices import normalise
from handlers.understanding.phrases import Phrases


class Risk(StrEnum):
    """What a message signals, most urgent first."""

    SELF_HARM = "self_harm"  # wants to die or to hurt themselves
    VIOLENCE = "violence"  # is hurt, threatened or about to hurt someone
    ARREST = "arrest"  # was arrested or is held by the police
    RELAPSE = "relapse"  # uses drugs or drinks again
    HARDSHIP = "hardship"  # asks for help: illness, eviction, no money, lost job, grief


DANGER = frozenset({Risk.SELF_HARM, Risk.VIOLENCE, Risk.ARREST, Risk.RELAPSE})

_PHRASES: dict[Risk, tuple[str, ...]] = {
    Risk.SELF_HARM: (
        "bunuh diri", "bundir", "ingin mati", "pengen mati", "pengin mati", "pingin mati",
        "kepengen mati", "pgn mati", "pen mati", "mau mati aja", "mau mati saja", "saya mau mati", "mw mati", "mo mati",
        "mau mati", "aku mau mati", "gue mau mati", "gw mau mati", "mending mati", "lebih baik mati",
        "mati aja", "mati saja", "akhiri hidup*", "mengakhiri hidup*", "ngakhirin hidup*",
        "tidak mau hidup", "gak mau hidup", "ga mau hidup", "nggak mau hidup", "males hidup",
        "tidak ingin hidup", "gak ingin hidup", "capek hidup", "cape hidup", "capai hidup",
        "lelah hidup", "bosan hidup", "bosen hidup", "muak hidup", "tidak kuat hidup",
        "gak kuat hidup", "ga kuat hidup", "tidak kuat lagi", "gak kuat lagi", "ga kuat lagi",
        "nggak kuat lagi", "gk kuat lagi", "sudah tidak kuat", "udah gak kuat", "udah ga kuat",
        "udh gk kuat", "gantung diri", "minum racun", "potong nadi", "iris nadi", "sayat tangan",
        "nyayat tangan", "menyayat tangan", "menyakiti diri*", "nyakitin diri*", "lukai diri*",
        "melukai diri*", "hidup tidak ada artinya", "hidup gak ada artinya", "tidak berguna hidup",
        "loncat dari jembatan", "lompat dari jembatan", "kill myself", "suicide", "want to die",
        "end my life", "hurt myself", "self harm",
    ),
    Risk.VIOLENCE: (
        "dipukul*", "digebuk*", "dihajar", "dianiaya", "disiksa", "dikeroyok", "ditusuk",
        "dibacok", "ditampar", "ditendang", "dicekik", "diperkosa", "dilecehkan", "pelecehan",
        "diancam", "mengancam saya", "ancam bunuh", "mau dibunuh", "akan dibunuh", "mau membunuh",
        "mau bunuh dia", "mau bunuh orang", "pengen bunuh", "ingin membunuh", "mau nusuk",
        "kdrt", "kekerasan", "berantem", "berkelahi", "tawuran", "dikejar orang", "bawa sajam",
        "beaten", "threatened", "attacked", "abused",
    ),
    Risk.ARREST: (
        "ditangkap", "ketangkap", "ketangkep", "tertangkap", "diciduk", "kena ciduk",
        "dibawa polisi", "dibawa ke polsek", "dibawa ke polres", "ditahan polisi",
        "saya ditahan", "aku ditahan", "sedang ditahan", "lagi ditahan", "di kantor polisi",
        "di polsek", "di polres", "kena razia", "masuk penjara lagi", "dipenjara lagi",
        "masuk bui", "dibui", "arrested", "in jail",
    ),
    Risk.RELAPSE: (
        "make lagi", "makai lagi", "pake lagi", "pakai lagi", "make lg", "makai lg", "pake lg",
        "pakai lg", "pakai narkoba", "memakai lagi", "nyabu", "sabu sabu", "pakai sabu",
        "pake sabu", "make sabu", "isap sabu", "ngisap sabu", "nyabu lagi", "ngobat",
        "nyimeng", "ganja", "putaw", "sakau", "ngelem", "pil koplo", "koplo", "tramadol",
        "tembakau gorila", "sinte", "ekstasi", "inex", "narkoba", "kambuh", "relapse",
        "mabuk lagi", "mabok lagi", "minum lagi", "mabuk mabukan", "miras", "ciu", "ngefly",
        "nge fly", "using again", "drinking again",
    ),
    Risk.HARDSHIP: (
        "tolong", "minta tolong", "butuh bantuan", "minta bantuan", "perlu bantuan", "bantu saya",
        "bantu aku", "bantuin", "help", "darurat", "urgent", "gawat", "rumah sakit", "masuk rs",
        "di rs", "opname", "dirawat", "sakit", "meninggal", "wafat", "kecelakaan", "diusir",
        "tidak punya rumah", "gak punya rumah", "tidak ada tempat tinggal", "gak ada tempat tinggal",
        "tidur di jalan", "tidak punya uang", "gak punya uang", "ga punya uang", "gak ada uang",
        "tidak ada uang", "belum makan", "kelaparan", "lapar", "dipecat", "di phk", "kena phk",
        "kehilangan", "hilang", "hamil", "utang", "hutang", "pinjol", "ditagih", "stres",
        "stress", "depresi", "ketakutan", "cemas", "sedih", "kesepian", "putus asa", "bingung",
    ),
}  # fmt: skip

_MATCHERS = {risk: Phrases(phrases) for risk, phrases in _PHRASES.items()}
# "Mati" is also what phones, lights and engines do: "hp saya mau mati" is about a battery.
_THINGS_THAT_DIE = Phrases(
    (
        "hp", "handphone", "ponsel", "baterai", "batre", "batrai", "lampu", "listrik", "motor",
        "mesin", "sinyal", "pulsa", "kuota", "wifi", "laptop", "mati lampu", "charger", "cas",
    )
)  # fmt: skip

# "Pakai lagi" is also what people do with clothes and tools: "bajunya mau saya pakai lagi".
_USING_AGAIN = frozenset(normalise(w) for w in ("pakai", "pake", "make", "makai", "memakai"))
_THINGS_WORN = Phrases(
    (
        "baju", "celana", "kaos", "kemeja", "jaket", "seragam", "sepatu", "sandal", "sendal",
        "topi", "helm", "masker", "tas", "hp", "handphone", "motor", "mobil", "laptop", "alat",
        "barang", "kartu", "akun", "aplikasi", "nomor", "kacamata", "jam tangan",
    )
)  # fmt: skip


# "Minum lagi" is also what people do with water and medicine: "sudah minum lagi obatnya".
_DRINKING = frozenset(normalise(w) for w in ("minum",))
_THINGS_DRUNK = Phrases(
    (
        "air", "air putih", "obat", "obatnya", "kopi", "ngopi", "teh", "susu", "jamu", "vitamin",
        "es", "jus", "minuman", "dokter", "puskesmas",
    )
)  # fmt: skip


def recognise(text: str) -> Risk | None:
    """The most urgent risk the text signals, or None."""
    words = normalise(text).split()
    if not words:
        return None
    for risk in Risk:  # most urgent first
        found = _MATCHERS[risk].find(words)
        if found is None:
            continue
        if "mati" in found and _THINGS_THAT_DIE.find(words) is not None:
            continue
        if found[0] in _USING_AGAIN and len(found) == 2 and _THINGS_WORN.find(words) is not None:
            continue
        if found[0] in _DRINKING and len(found) == 2 and _THINGS_DRUNK.find(words) is not None:
            continue
        return risk
    return None
