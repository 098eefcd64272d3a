"""Ages and age ranges asked for in an ad (e.g. "Age 18-30", taxonomy JOB/TGT signals).

Forms: "age 18-30", "aged 18 to 30", "18-35 years old", "tuổi từ 18 đến 30", "độ tuổi
18-30", "18-30 tuổi", "อายุ 18-35 ปี", "年龄18-30岁", "18至30岁", "umur/usia 18-30 tahun",
"edad 18-30". Value ``"18-30"`` for a range, ``"18+"`` for a minimum ("age 18+", "trên 18
tuổi"), ``"25"`` for a single age. Ages outside 14–75 or reversed ranges are dropped.
Extra: ``min``, ``max`` (None when open).

Registers ``lurewatch_ages_v1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spacy.language import Language

from pipeline.extractors.base import NO_HINTS, FinderComponent, Found, Hints, Spans
from pipeline.extractors.literals import Prechecked

_A = r"(\d{2})"
_TO = r"\s?(?:-|–|—|~|〜|to|and|đến|tới|ถึง|至|到|hingga|sampai|hanggang|hanggá)\s?"
_BEFORE = (r"(?:(?<![A-Za-z])(?:age[sd]?|between ages)|(?:độ\s)?tuổi(?:\stừ)?|อายุ(?:ระหว่าง|ตั้งแต่)?|年龄|年纪|"
           r"(?<![A-Za-z])(?:umur|usia|edad|aged between))")
_AFTER = r"(?:\s?(?:years?\s?old|yrs?\s?old|y/?o|years|tuổi|ปี|岁|周岁|tahun|taong\s?gulang|anyos))"
_RANGE_BEFORE = Prechecked(re.compile(rf"{_BEFORE}\s?[:：]?\s?{_A}{_TO}{_A}(?!\d){_AFTER}?", re.I))
_RANGE_AFTER = Prechecked(re.compile(rf"(?<![\d.,$])(?<![\d] ){_A}{_TO}{_A}(?!\d){_AFTER}", re.I))
_MIN = Prechecked(re.compile(rf"{_BEFORE}\s?[:：]?\s?(?:trên|over|above|from|ขึ้นไป)?\s?{_A}\s?"
                  rf"(?:\+|trở lên|ขึ้นไป|以上|ke atas|pataas){_AFTER}?"
                  rf"|(?:trên|over|above)\s{_A}\s?(?:tuổi|years?\s?old)", re.I))
_SINGLE = Prechecked(re.compile(
    rf"(?<![A-Za-z])(?:age|aged|tuổi|อายุ|年龄|umur|usia|edad)\s?[:：]?\s?{_A}(?![\d\-–~])", re.I))


def _ok(*ages: int) -> bool:
    return all(14 <= a <= 75 for a in ages)


def find_ages(text: str, hints: Hints = NO_HINTS, found: Sequence[Found] = ()) -> Iterator[Found]:
    taken = Spans.of(found, "money", "phone", "url", "crypto_wallet")
    for rx in (_RANGE_BEFORE, _RANGE_AFTER):
        for m in rx.finditer(text, hints.folded):
            lo, hi = int(m.group(1)), int(m.group(2))
            if _ok(lo, hi) and lo < hi and not taken.overlaps(m.start(), m.end()):
                taken.add(m.start(), m.end())
                yield Found("age", f"{lo}-{hi}", m.start(), m.end(), {"min": lo, "max": hi})
    for m in _MIN.finditer(text, hints.folded):
        lo = int(m.group(1) or m.group(2))
        if _ok(lo) and not taken.overlaps(m.start(), m.end()):
            taken.add(m.start(), m.end())
            yield Found("age", f"{lo}+", m.start(), m.end(), {"min": lo, "max": None})
    for m in _SINGLE.finditer(text, hints.folded):
        age = int(m.group(1))
        if _ok(age) and not taken.overlaps(m.start(), m.end()):
            yield Found("age", str(age), m.start(), m.end(), {"min": age, "max": age})


@Language.factory("lurewatch_ages_v1")
def make_ages(nlp: Language, name: str) -> FinderComponent:
    return FinderComponent(find_ages)
