"""E-mail addresses (taxonomy ENT-06), plain and obfuscated: ``name [at] domain [dot] com``,
``name(at)domain.com``, ``name at gmail dot com``, ``name @ gmail . com``. Value: the address
in lower case (``name@domain.com``); extra ``obfuscated`` and ``freemail``.

Registers ``lurewatch_emails_v1``. The bare-word form (`` at `` … `` dot ``) is accepted only
when the dot is spelled out too or the domain is a known free-mail provider, so prose like
"meet at the office.com" is not read as an address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spacy.language import Language

from pipeline.extractors.base import NO_HINTS, FinderComponent, Found, Hints, Spans
from pipeline.extractors.literals import Prechecked

FREEMAIL = frozenset({"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
                      "icloud.com", "proton.me", "protonmail.com", "qq.com", "163.com", "126.com", "sina.com",
                      "foxmail.com", "aol.com", "mail.ru", "yandex.com", "gmx.com", "yahoo.co.th"})

_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"[A-Za-z]{2,24}"
_AT_BR = r"\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*"
_DOT_BR = r"\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*"
_AT_WORD = r"\s+(?:at|AT)\s+"
_DOT_WORD = r"\s+(?:dot|DOT)\s+"

_PLAIN = Prechecked(re.compile(rf"(?<![\w.+-])({_LOCAL})@({_LABEL}(?:\.{_LABEL})*\.{_TLD})(?![\w-])"))
_BRACKETED = Prechecked(re.compile(
    rf"(?<![\w.+-])({_LOCAL})(?:{_AT_BR})({_LABEL}(?:(?:{_DOT_BR}|\.){_LABEL})*(?:{_DOT_BR}|\.){_TLD})(?![\w-])"),
    core=re.compile(r"[\[({<]\s*(?:at|@)\s*[\])}>]"))
#: every match holds " at " then a first label followed at once by a dot, " dot " or "[dot]"
_WORDS_CORE = re.compile(rf"\s(?:at|AT)\s+[A-Za-z0-9-]+(?:\.|{_DOT_BR}|{_DOT_WORD})[A-Za-z0-9]")
_WORDS = Prechecked(re.compile(
    rf"(?<![\w.+-])({_LOCAL}){_AT_WORD}({_LABEL}(?:(?:{_DOT_WORD}|{_DOT_BR}|\.){_LABEL})*(?:{_DOT_WORD}|{_DOT_BR}|\.){_TLD})(?![\w-])"),
    core=_WORDS_CORE)
_DOT_ANY = re.compile(rf"{_DOT_BR}|{_DOT_WORD}")


def _domain(raw: str) -> str:
    return _DOT_ANY.sub(".", raw).lower()


def find_emails(text: str, hints: Hints = NO_HINTS, found: Sequence[Found] = ()) -> Iterator[Found]:
    taken = Spans()
    for rx, obfuscated in ((_PLAIN, False), (_BRACKETED, True), (_WORDS, True)):
        for m in rx.finditer(text, hints.folded):
            if taken.overlaps(m.start(), m.end()):
                continue
            domain = _domain(m.group(2))
            if rx is _WORDS and not (_DOT_ANY.search(m.group(2)) or domain in FREEMAIL):
                continue
            taken.add(m.start(), m.end())
            yield Found("email", f"{m.group(1).lower()}@{domain}", m.start(), m.end(),
                        {"obfuscated": obfuscated, "freemail": domain in FREEMAIL})


@Language.factory("lurewatch_emails_v1")
def make_emails(nlp: Language, name: str) -> FinderComponent:
    return FinderComponent(find_emails)
