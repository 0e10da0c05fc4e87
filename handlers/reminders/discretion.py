"""Discreet mode: the words that must never show on a lock screen, and keeping them out of messages."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from handlers.types import Button, Reply

log = logging.getLogger(__name__)

# Between the parts of a phrase: any spacing, hyphen or underscore ("Wajib  Lapor", "wajib-lapor").
_GAP = r"[\s_\-]*"
# Short words and abbreviations match only as whole words, with the usual Indonesian suffixes
# ("kliennya"), so that "napi" does not catch "napiun", nor "rutan" "berutang".
_WHOLE_WORDS = (
    "bapas", "lapas", "rutan", "lpka", "lp", "pk", "wbp", "napi", "klien", "bnn", "pb", "cb",
    "cmb", "rehab", "napza", "tahanan", "polisi", "polres", "polresta", "polrestabes", "polsek",
    "polda", "polri", "kanwil", "kejari", "kejati", "jaksa", "kemenkum", "kumham", "imipas",
    "ditjenpas", "prison", "parole", "inmate", "inmates", "jail", "convict", "probation",
)  # fmt: skip
# Longer words and phrases match anywhere ("persidangan", "Kemenkumham", "narapidananya").
_ANYWHERE = (
    "pemasyarakatan", "kemasyarakatan", "narapidana", "warga" + _GAP + "binaan",
    "wajib" + _GAP + "lapor", "lapor" + _GAP + "diri", "narkoba", "narkotika", "rehabilitasi",
    "bebas(?:an)?" + _GAP + "bersyarat", "cuti" + _GAP + "bersyarat", "cuti" + _GAP + "menjelang",
    "asimilasi", "remisi", "pengadilan", "kejaksaan", "sidang", "penjara", "kepolisian",
    "kemenkumham", "kemenimipas", "kementerian" + _GAP + "hukum", "ditjen" + _GAP + "pas",
    "hukum" + _GAP + "dan" + _GAP + "ham", "imigrasi" + _GAP + "dan" + _GAP + "pemasyarakatan",
    "residivis", "terpidana", "tersangka",
)  # fmt: skip
_SUFFIX = r"(?:nya|lah|ku|mu)?"
SENSITIVE = re.compile(
    r"\b(?:" + "|".join(word + _SUFFIX for word in _WHOLE_WORDS) + r")\b|" + "|".join(_ANYWHERE),
    re.IGNORECASE,
)
HIDDEN = "…"  # what the last-resort guard leaves where a word was


def is_sensitive(text: str | None) -> bool:
    return bool(text) and SENSITIVE.search(text or "") is not None


def scrub(text: str) -> str:
    """`text` with every sensitive word replaced by "…"."""
    return SENSITIVE.sub(HIDDEN, text)


def guard(reply: Reply, kind: str) -> Reply:
    """The last line of defence for a discreet person: no sensitive word leaves in any message.

    Messages conceal each field before composing, so this should never change anything; if it
    does, a field was missed, and it is logged (by kind only) so it can be fixed.
    """
    buttons = tuple(Button(scrub(b.title), b.payload) for b in reply.buttons)
    text = scrub(reply.text)
    template = reply.template
    if template is not None:
        template = replace(template, params=tuple(scrub(p) for p in template.params))
    if text == reply.text and buttons == reply.buttons and template == reply.template:
        return reply
    log.warning("discreet guard removed sensitive words from a %s message", kind)
    return replace(reply, text=text, buttons=buttons, template=template)
