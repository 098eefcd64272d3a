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

import phonenumbers
from spacy.language import Language

from pipeline.extractors.base import FinderComponent, Found, Hints, Spans
from pipeline.extractors.locations import countries_mentioned

#: Languages spoken mainly in one country: a local-format number is first read there.
LANG_REGION = {"vi": "VN", "th": "TH", "km": "KH", "id": "ID", "ms": "MY", "tl": "PH", "fil": "PH",
               "my": "MM", "lo": "LA", "zh": "CN", "si": "LK", "ta": "LK", "bn": "BD", "ko": "KR"}
#: Languages of several countries: their region is tried only after countries in the text.
WEAK_LANG_REGION = {"en": "PH"}

_LENIENCY = {"VALID": phonenumbers.Leniency.VALID, "POSSIBLE": phonenumbers.Leniency.POSSIBLE}
_DIGIT = re.compile(r"\d")


def reads_language(text: str) -> bool:
    """Whether the post's language can change what the finders find in ``text``: only phone
    numbers (here and labelled ones in :mod:`~pipeline.extractors.messaging`) read it, to pick
    regions, and every number holds a digit."""
    return _DIGIT.search(text) is not None


def candidate_regions(text: str, hints: Hints) -> list[str]:
    """Regions to read local-format numbers with, most likely first (see module doc)."""
    lang = (hints.lang or "").split("-")[0].lower()
    order = [hints.region.upper() if hints.region else None, LANG_REGION.get(lang),
             *countries_mentioned(text, hints.folded), WEAK_LANG_REGION.get(lang)]
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


def find_phones(text: str, hints: Hints, found: Sequence[Found] = (), leniency: str = "VALID") -> Iterator[Found]:
    """libphonenumber's matcher over the whole text, once per candidate region (then ZZ, for
    numbers with a country code); a number overlapping an earlier one or a URL, e-mail or
    wallet is skipped."""
    if not reads_language(text):  # every candidate the matcher considers holds digits
        return
    skip = Spans.of(found, "url", "email", "crypto_wallet")
    taken = Spans()
    for region in [*candidate_regions(text, hints), "ZZ"]:
        # Under an unknown region (ZZ) libphonenumber reads only numbers with a plus sign
        # ("+" or fullwidth "＋"): a text without one holds none.
        if region not in phonenumbers.SUPPORTED_REGIONS and "+" not in text and "\uff0b" not in text:
            continue
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=_LENIENCY[leniency]):
            if skip.overlaps(m.start, m.end) or taken.overlaps(m.start, m.end):
                continue
            taken.add(m.start, m.end)
            yield Found("phone", e164(m.number), m.start, m.end,
                        {"region": phonenumbers.region_code_for_number(m.number)})


@Language.factory("lurewatch_phones_v1", default_config={"leniency": "VALID"})
def make_phones(nlp: Language, name: str, leniency: str) -> FinderComponent:
    if leniency not in _LENIENCY:
        raise ValueError(f"{name}: leniency must be one of {sorted(_LENIENCY)}, not {leniency!r}")

    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_phones(text, hints, found, leniency)
    return FinderComponent(run)
