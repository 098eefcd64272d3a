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
from typing import Any

import ahocorasick
import yaml
from spacy.language import Language

from pipeline.extractors.base import FinderComponent, Found, Hints
from pipeline.extractors.literals import caseless_safe, special_characters

GAZETTEER = Path(__file__).with_name("gazetteer.yaml")
KIND_INDICATOR = {"hub": "LOC-01", "transit": "LOC-02", "country": "LOC-03"}
_WORD = re.compile(r"\w")
_SPACE = re.compile(r"[^\S ]")  # whitespace other than " "
_SQUASH = re.compile(r"[\s-]")


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    country: str


@dataclass(frozen=True)
class Gazetteer:
    """The aliases (case folded) and the one automaton that finds them.

    What matches is defined by ``pattern``: the alternation of the aliases, longest first,
    case-insensitive, a space in an alias standing for one optional whitespace character or
    hyphen, a Latin alias only as a whole word (scripts written without spaces, such as
    Thai, Chinese, Khmer and Burmese, need no word boundary). ``automaton`` (pyahocorasick)
    holds every form of every alias (each space as nothing, " " or "-"), each with its
    length, its alias's rank in that order and whether it is Latin; it reads the text lower
    cased, whitespace as " " (:func:`_key`)."""

    pattern: re.Pattern[str]
    automaton: Any
    by_alias: dict[str, Place]
    #: an alias without its spaces and hyphens → the place of the first alias so written
    squashed: dict[str, Place]
    #: a character whose lower case is not what IGNORECASE compares (``ı``, ``ſ``, ``İ``…) →
    #: the alias character IGNORECASE matches it with, or one no alias holds
    special: dict[str, str]


def _is_latin(alias: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in alias)


def _forms(alias: str) -> set[str]:
    """``alias`` with each space written as nothing, " " or "-"."""
    first, *rest = alias.split(" ")
    forms = {first}
    for piece in rest:
        forms = {form + sep + piece for form in forms for sep in ("", " ", "-")}
    return forms


@lru_cache(maxsize=4)
def load_gazetteer(path: str = str(GAZETTEER)) -> Gazetteer:
    """Compile the gazetteer at ``path`` once. Raises ValueError naming a bad entry."""
    by_alias: dict[str, Place] = {}
    for n, item in enumerate(yaml.safe_load(Path(path).read_text("utf-8")), 1):
        if item.get("kind") not in KIND_INDICATOR or not item.get("aliases"):
            raise ValueError(f"{path}: entry {n} ({item.get('name')}) needs kind hub/transit/country and aliases")
        place = Place(str(item["name"]), item["kind"], str(item["country"]))
        for alias in item["aliases"]:
            key = str(alias).casefold()
            if not all(map(caseless_safe, key)):
                raise ValueError(f"{path}: entry {n} ({item['name']}): alias {alias!r} holds a character (such "
                                 "as ı, ſ or İ) whose lower case is not what case-insensitive matching compares")
            by_alias.setdefault(key, place)
    automaton = ahocorasick.Automaton()
    parts = []
    for rank, alias in enumerate(sorted(by_alias, key=len, reverse=True)):
        latin = _is_latin(alias)
        esc = re.escape(alias).replace(r"\ ", r"[\s-]?")
        parts.append(rf"(?<!\w){esc}(?!\w)" if latin else esc)
        for form in _forms(alias.lower()):  # the text is lower-cased too
            if form not in automaton:  # an earlier alias of this form comes first in the alternation
                automaton.add_word(form, (len(form), rank, latin))
    automaton.make_automaton()
    squashed: dict[str, Place] = {}
    for alias, place in by_alias.items():
        squashed.setdefault(_SQUASH.sub("", alias), place)
    chars = {c for alias in by_alias for c in alias.lower()}
    special = {c: next((a for a in chars if re.fullmatch(re.escape(c), a, re.IGNORECASE)), "\ufffd")
               for c in special_characters()[0]}
    return Gazetteer(re.compile("|".join(parts), re.IGNORECASE), automaton, by_alias, squashed, special)


def _key(gaz: Gazetteer, text: str, low: str | None) -> str:
    """``text`` as the automaton reads it, same length: lower case (``low``, from
    :func:`~pipeline.extractors.literals.folded`, when given), a character ``folded``
    refuses first written as the alias character it matches, whitespace as " "."""
    if low is None:
        low = special_characters()[1].sub(lambda m: gaz.special[m.group()], text).lower()
    return _SPACE.sub(" ", low) if _SPACE.search(low) else low


def _matches(gaz: Gazetteer, text: str, low: str | None) -> list[tuple[int, int]]:
    """The spans ``gaz.pattern.finditer(text)`` finds: the automaton's hits in :func:`_key`
    that pass the word boundaries of a Latin alias; at each start the alias first in order;
    then on from its end."""
    first: dict[int, tuple[int, int]] = {}  # start → (rank, end) of the first alias there
    for last, (length, rank, latin) in gaz.automaton.iter(_key(gaz, text, low)):
        start, end = last + 1 - length, last + 1
        if latin and ((start and _WORD.match(text, start - 1)) or _WORD.match(text, end)):
            continue
        if start not in first or rank < first[start][0]:
            first[start] = (rank, end)
    out = []
    pos = 0
    for start in sorted(first):
        if start >= pos:
            pos = first[start][1]
            out.append((start, pos))
    return out


def _lookup(gaz: Gazetteer, matched: str) -> Place | None:
    key = matched.casefold()
    return gaz.by_alias.get(key) or gaz.squashed.get(_SQUASH.sub("", key))


def places(text: str, gazetteer: str = str(GAZETTEER), low: str | None = None) -> list[tuple[int, int, Place]]:
    """Gazetteer matches of ``text`` as ``(start, end, place)``. ``low``: ``folded(text)``
    when the caller has it."""
    gaz = load_gazetteer(gazetteer)
    out = []
    for start, end in _matches(gaz, text, low):
        place = _lookup(gaz, text[start:end])
        if place is not None:
            out.append((start, end, place))
    return out


def find_places(text: str, gazetteer: str = str(GAZETTEER), low: str | None = None) -> Iterator[Found]:
    for start, end, place in places(text, gazetteer, low):
        yield Found("location", place.name, start, end,
                    {"kind": place.kind, "country": place.country, "indicator": KIND_INDICATOR[place.kind]})


def countries_mentioned(text: str, low: str | None = None) -> list[str]:
    """ISO codes of the countries of every place named in ``text``, first mention first."""
    return list(dict.fromkeys(place.country for _, _, place in places(text, low=low)))


def finder(gazetteer: str) -> FinderComponent:
    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_places(text, gazetteer, hints.folded)
    return FinderComponent(run)


@Language.factory("lurewatch_locations_v1", default_config={"gazetteer": str(GAZETTEER)})
def make_locations(nlp: Language, name: str, gazetteer: str) -> FinderComponent:
    return finder(gazetteer)
