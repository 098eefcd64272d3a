"""Confusable characters → Latin letters, after Unicode TS #39 (confusables.txt).

``confusables.txt`` is not available offline, so the table is written here by hand from
the TS #39 entries for the scripts recruiters actually use to dodge keyword filters, and
then *generated out* with :mod:`unicodedata`:

* **Covered, strict** (``STRICT``, the TS #39 prototype is a plain Latin letter): Cyrillic
  (а е о р с у х ѕ і ј һ ԁ ԛ ԝ ӏ ү ѵ and capitals А В Е К М Н О Р С Т Х У Ѕ І Ј Ԛ Ԝ Ү Ӏ Ѵ),
  Greek capitals Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ and small ο ν ρ α ι ϲ ϳ, Armenian (օ ս ց հ ո
  զ Օ Ս Տ Լ), Cherokee capitals that copy Latin ones, Latin ɑ ɡ.
* **Covered, loose** (``LOOSE``, TS #39 maps them to small capitals or IPA letters, which
  read as the Latin letter in running text): Cyrillic к м т н в п г ь, Greek κ τ υ χ ε
  γ η ω. Used only inside tokens that already contain Latin letters.
* **Generated**: every precomposed Cyrillic, Greek or Armenian letter whose canonical
  decomposition is a covered base plus combining marks (ё → ë, ї → ï, ά → á, Ӓ → Ä…).
* **Not here, because NFKC already folds them** (:mod:`pipeline.textnorm` applies NFKC
  first): fullwidth forms (Ｔ), mathematical alphanumerics (𝐓 𝑻 𝕋 𝓣…), circled and
  parenthesised letters, ligatures (ﬁ), letterlike symbols (ℓ ℍ).
* **Not covered**: digit look-alikes (О/0, З/3, l/1 are left alone: folding them would
  corrupt phone numbers), multi-letter prototypes (ы → bl, ю → io), other scripts.

Every value is one character, so folding never changes the length of a token.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: Script (first word of the Unicode name) of every source character below.
SCRIPTS = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "LATIN"})

_STRICT_PAIRS = (
    # Cyrillic
    "аa еe оo рp сc уy хx ѕs іi јj һh ԁd ԛq ԝw ӏl үy ѵv"
    " АA ВB ЕE КK МM НH ОO РP СC ТT ХX УY ЅS ІI ЈJ ԚQ ԜW ҮY ӀI ѴV"
    # Greek
    " ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX οo νv ρp αa ιi ϲc ϳj ϹC"
    # Armenian
    " օo սu ցg հh ոn զq ՕO ՍU ՏS ԼL"
    # Cherokee capitals
    " ᎪA ᏴB ᏟC ᎬE ᎻH ᎫJ ᏦK ᎷM ᏢP ᏚS ᎢT ᏙV ᏔW ᏃZ ᎠD ᏀG ᏞL"
    # Latin look-alikes of Latin letters
    " ɑa ɡg"
)
_LOOSE_PAIRS = "кk мm тt нh вb пn гr ьb κk τt υu χx εe γy ηn ωw"


def _pairs(spec: str) -> dict[str, str]:
    return {pair[0]: pair[1] for pair in spec.split()}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    strict = _pairs(_STRICT_PAIRS)
    loose = _pairs(_LOOSE_PAIRS)
    for table in (strict, loose):
        generated: dict[str, str] = {}
        for cp in (*range(0x0370, 0x0530), *range(0x1F00, 0x2000)):
            ch = chr(cp)
            decomposed = unicodedata.normalize("NFD", ch)
            base, marks = decomposed[0], decomposed[1:]
            if ch not in table and marks and base in table and all(unicodedata.combining(m) for m in marks):
                folded = unicodedata.normalize("NFC", table[base] + marks)
                if len(folded) == 1:
                    generated[ch] = folded
        table.update(generated)
    return strict, loose


def strict_table() -> dict[str, str]:
    """Characters whose TS #39 prototype is a Latin letter (copy; one character each)."""
    return dict(_tables()[0])


def loose_table() -> dict[str, str]:
    """Strict table plus small-capital look-alikes, for tokens that already mix in Latin."""
    strict, loose = _tables()
    return {**strict, **loose}


@lru_cache(maxsize=8192)
def script_of(ch: str) -> str:
    """Script of a letter from its Unicode name (``LATIN``, ``CYRILLIC``…), ``""`` for
    non-letters and unnamed characters."""
    if not ch.isalpha():
        return ""
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""
