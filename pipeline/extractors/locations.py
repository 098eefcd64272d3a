"""Places from a gazetteer of scam hubs, transit points and countries (taxonomy LOC-01..03,
ENT-11), in Latin, Thai, Chinese, Khmer and Burmese script.

Registers ``lurewatch_locations_v1`` (config ``gazetteer``: a path, default the bundled
``gazetteer.yaml``). Items: type ``location``, value the canonical name, extra ``kind``
(hub / transit / country), ``country`` (ISO 3166) and ``indicator`` (LOC-01/02/03).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.language import Language

from pipeline.extractors.base import FinderComponent, Found, Hints

GAZETTEER = Path(__file__).with_name("gazetteer.yaml")
KIND_INDICATOR = {"hub": "LOC-01", "transit": "LOC-02", "country": "LOC-03"}


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    country: str


@dataclass(frozen=True)
class Gazetteer:
    pattern: re.Pattern[str]
    by_alias: dict[str, Place]


def _is_latin(alias: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in alias)


@lru_cache(maxsize=4)
def load_gazetteer(path: str = str(GAZETTEER)) -> Gazetteer:
    """Compile the gazetteer at ``path`` once. Raises ValueError naming a bad entry."""
    by_alias: dict[str, Place] = {}
    for n, item in enumerate(yaml.safe_load(Path(path).read_text("utf-8")), 1):
        if item.get("kind") not in KIND_INDICATOR or not item.get("aliases"):
            raise ValueError(f"{path}: entry {n} ({item.get('name')}) needs kind hub/transit/country and aliases")
        place = Place(str(item["name"]), item["kind"], str(item["country"]))
        for alias in item["aliases"]:
            by_alias.setdefault(str(alias).casefold(), place)
    parts = []
    for alias in sorted(by_alias, key=len, reverse=True):
        esc = re.escape(alias).replace(r"\ ", r"[\s-]?")
        parts.append(rf"(?<!\w){esc}(?!\w)" if _is_latin(alias) else esc)
    return Gazetteer(re.compile("|".join(parts), re.IGNORECASE), by_alias)


def _lookup(gaz: Gazetteer, matched: str) -> Place | None:
    key = matched.casefold()
    if key in gaz.by_alias:
        return gaz.by_alias[key]
    squashed = re.sub(r"[\s-]", "", key)
    return next((p for a, p in gaz.by_alias.items() if re.sub(r"[\s-]", "", a) == squashed), None)


def find_places(text: str, gazetteer: str = str(GAZETTEER)) -> Iterator[Found]:
    gaz = load_gazetteer(gazetteer)
    for m in gaz.pattern.finditer(text):
        place = _lookup(gaz, m.group(0))
        if place is not None:
            yield Found("location", place.name, m.start(), m.end(),
                        {"kind": place.kind, "country": place.country, "indicator": KIND_INDICATOR[place.kind]})


def countries_mentioned(text: str) -> list[str]:
    """ISO codes of the countries of every place named in ``text``, first mention first."""
    seen: dict[str, None] = {}
    for f in find_places(text):
        seen.setdefault(f.extra["country"], None)
    return list(seen)


def finder(gazetteer: str) -> FinderComponent:
    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_places(text, gazetteer)
    return FinderComponent(run)


@Language.factory("lurewatch_locations_v1", default_config={"gazetteer": str(GAZETTEER)})
def make_locations(nlp: Language, name: str, gazetteer: str) -> FinderComponent:
    return finder(gazetteer)
