"""Phone numbers (taxonomy ENT-01), value E.164, via libphonenumber (``phonenumbers``).

Numbers written with a country code are read as written. A number in local format
(``0912 345 678``) is read with the first region, in this order, under which it is a valid
number: the source region (``doc.user_data["region"]``), the region of a language tied to one
country (vi → VN, th → TH, km → KH…), the countries named in the text (Campuchia, กัมพูชา,
柬埔寨 → KH; see ``gazetteer.yaml``), then the weak default of the language (en → PH).

Registers ``lurewatch_phones_v1`` (config ``leniency``: VALID or POSSIBLE). Digits inside
URLs, e-mails and wallets already found are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

import phonenumbers
from phonenumbers import phonenumbermatcher
from spacy.language import Language

from pipeline.extractors.base import FinderComponent, Found, Hints, overlaps, spans_of
from pipeline.extractors.locations import countries_mentioned

#: Languages spoken mainly in one country: a local-format number is first read there.
LANG_REGION = {"vi": "VN", "th": "TH", "km": "KH", "id": "ID", "ms": "MY", "tl": "PH", "fil": "PH",
               "my": "MM", "lo": "LA", "zh": "CN", "si": "LK", "ta": "LK", "bn": "BD", "ko": "KR"}
#: Languages of several countries: their region is tried only after countries in the text.
WEAK_LANG_REGION = {"en": "PH"}

_LENIENCY = {"VALID": phonenumbers.Leniency.VALID, "POSSIBLE": phonenumbers.Leniency.POSSIBLE}


def candidate_regions(text: str, hints: Hints) -> list[str]:
    """Regions to read local-format numbers with, most likely first (see module doc)."""
    lang = (hints.lang or "").split("-")[0].lower()
    order = [hints.region.upper() if hints.region else None, LANG_REGION.get(lang),
             *countries_mentioned(text), WEAK_LANG_REGION.get(lang)]
    out: list[str] = []
    for r in order:
        if r and r not in out:
            out.append(r)
    return out


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_number(raw: str, regions: Sequence[str]) -> str | None:
    """E.164 of ``raw`` read with the first of ``regions`` under which it is valid (numbers
    with ``+`` or ``00`` need none); None if it is valid nowhere."""
    for region in [*regions, "ZZ"] if regions else ["ZZ"]:
        try:
            num = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            return e164(num)
    return None


_DIGITS = re.compile(r"\d+")
#: digit runs closer than this are one cluster (a number's blocks, or a number and its extension)
_GAP = 60
#: text kept on each side of a cluster: the matcher reads a candidate's neighbours
_MARGIN = 40


def digit_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` around its clusters of digits: every candidate libphonenumber's
    matcher considers lies inside one, with the characters it checks around it.

    The matcher's candidates are digit blocks joined by at most 4 punctuation characters,
    with at most a few leading brackets or plus signs and an optional extension (whose digits
    are in the cluster); it reads one character before and a few after a candidate. So a
    candidate never spans ``_GAP`` characters without a digit, starts within a dozen
    characters of its first digit, and scanning each window on its own (with ``_MARGIN``
    characters of context) finds exactly what scanning the whole text finds."""
    out: list[tuple[int, int]] = []
    first = last = -1
    for m in _DIGITS.finditer(text):
        if first >= 0 and m.start() - last > _GAP:
            out.append((max(0, first - _MARGIN), min(len(text), last + _MARGIN)))
            first = -1
        if first < 0:
            first = m.start()
        last = m.end()
    if first >= 0:
        out.append((max(0, first - _MARGIN), min(len(text), last + _MARGIN)))
    return out


@lru_cache(maxsize=100_000)
def _verdict(candidate: str, region: str, leniency: phonenumbers.Leniency) -> bool:
    """Whether libphonenumber's matcher would accept ``candidate`` read in ``region``, its
    surroundings aside: ``parse`` succeeds and the leniency's check passes. Both depend on
    nothing else for VALID and POSSIBLE, and the same digit strings (years, amounts, hours)
    come back in post after post."""
    try:
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbermatcher._verify(leniency, number, candidate, None))


class _Matcher(phonenumbers.PhoneNumberMatcher):
    """The library's matcher, same matches: a candidate whose :func:`_verdict` (kept per
    candidate string, region and leniency) is no is dropped without parsing it again; any
    other goes through the library's own checks (brackets, neighbouring letters, parse,
    verification) as before."""

    def _parse_and_verify(self, candidate: str, offset: int) -> phonenumbers.PhoneNumberMatch | None:
        if not _verdict(candidate, self.preferred_region, self.leniency):
            return None
        return super()._parse_and_verify(candidate, offset)


def _has_plus(text: str, start: int, end: int) -> bool:
    return text.find("+", start, end) >= 0 or text.find("\uff0b", start, end) >= 0


def find_phones(text: str, hints: Hints, found: Sequence[Found] = (), leniency: str = "VALID") -> Iterator[Found]:
    windows = digit_windows(text)
    if not windows:
        return
    skip = spans_of(found, "url", "email", "crypto_wallet")
    taken: list[tuple[int, int]] = []
    for region in [*candidate_regions(text, hints), "ZZ"]:
        # Under an unknown region (ZZ) libphonenumber parses only numbers with a plus sign
        # ("+" or fullwidth "＋"): a stretch without one holds none.
        plus_only = region not in phonenumbers.SUPPORTED_REGIONS
        for ws, we in windows:
            if plus_only and not _has_plus(text, ws, we):
                continue
            for m in _Matcher(text[ws:we], region, leniency=_LENIENCY[leniency]):
                start, end = m.start + ws, m.end + ws
                if overlaps(start, end, skip) or overlaps(start, end, taken):
                    continue
                taken.append((start, end))
                yield Found("phone", e164(m.number), start, end,
                            {"region": phonenumbers.region_code_for_number(m.number)})


@Language.factory("lurewatch_phones_v1", default_config={"leniency": "VALID"})
def make_phones(nlp: Language, name: str, leniency: str) -> FinderComponent:
    if leniency not in _LENIENCY:
        raise ValueError(f"{name}: leniency must be one of {sorted(_LENIENCY)}, not {leniency!r}")

    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_phones(text, hints, found, leniency)
    return FinderComponent(run)
