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
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language

from pipeline.extractors.base import FinderComponent, Found, Hints
from pipeline.extractors.literals import (
    anchor_starts,
    caseless_safe,
    folded_cached,
    literal_anchors,
    literal_spans,
    required_literals,
)

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
    #: ``pattern``'s alternatives in order, compiled, each with its pre-check (:func:`_kept`).
    parts: tuple[tuple[re.Pattern[str], str, object], ...] = ()  # (regex, "word"/"prefix"/"script"/"literal"/"", key)
    #: which parts may match a text (:func:`_kept`)
    keys: _Keys | None = None


def _is_latin(alias: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in alias)


#: Scripts of the non-Latin aliases: a text without a character of the script holds none of them.
_SCRIPTS = {"thai": re.compile("[\u0e00-\u0e7f]"), "khmer": re.compile("[\u1780-\u17ff\u19e0-\u19ff]"),
            "myanmar": re.compile("[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]"),
            "han": re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")}


def _check(alias: str) -> tuple[str, str]:
    """How to rule an alias out cheaply: ``("word", alias)`` when a match is a whole word of
    the text (a Latin alias of word characters), ``("prefix", p)`` when a match starts a word
    that begins with ``p`` (other Latin aliases starting with three word characters),
    ``("script", name)`` when every match holds a character of that script, else ``("", "")``
    (always tried)."""
    if _is_latin(alias) and alias.lower() == alias and all(map(caseless_safe, alias)):
        if re.fullmatch(r"\w+", alias):
            return "word", alias
        if re.match(r"\w{3}", alias):
            return "prefix", alias[:3]
    for name, rx in _SCRIPTS.items():
        if rx.match(alias):
            return "script", name
    return "", ""


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
        pattern = rf"(?<!\w){esc}(?!\w)" if _is_latin(alias) else esc
        how, key = _check(alias)
        if not how:  # e.g. "kk park", "da nang": the literals every match contains
            lits = required_literals(pattern, re.IGNORECASE)
            if lits and "" not in lits:
                how, key = "literal", lits
        parts.append((pattern, how, key))
    return Gazetteer(re.compile("|".join(p for p, _, _ in parts), re.IGNORECASE), by_alias,
                     tuple((re.compile(p, re.IGNORECASE), how, key) for p, how, key in parts), _Keys.of(parts))


@dataclass(frozen=True)
class _Keys:
    """The numbers of the gazetteer's parts to try on a text: ``always``, those of a
    script the text holds (``by_script``), and those whose word, prefix or literal key an
    Aho-Corasick pass over the lower-cased text finds (``automaton``: key → its length, the
    numbers of its parts, and of those among them whose matches start where the key does:
    a word or prefix key)."""

    automaton: Any
    always: frozenset[int]
    by_script: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, parts: list[tuple[str, str, Any]]) -> _Keys:
        import ahocorasick

        owners: dict[str, list[int]] = {}
        by_script: dict[str, list[int]] = {}
        for i, (_, how, key) in enumerate(parts):
            if how == "script":
                by_script.setdefault(key, []).append(i)
            for k in (key,) if how in ("word", "prefix") else key if how == "literal" else ():
                owners.setdefault(k, []).append(i)
        automaton = ahocorasick.Automaton()
        for k, idx in owners.items():
            automaton.add_word(k, (len(k), tuple(idx), tuple(i for i in idx if parts[i][1] in ("word", "prefix"))))
        automaton.make_automaton()
        return cls(automaton, frozenset(i for i, (_, how, _) in enumerate(parts) if not how),
                   {name: tuple(idx) for name, idx in by_script.items()})


def _kept(gaz: Gazetteer, text: str) -> list[tuple[re.Pattern[str], list[int] | None]] | None:
    """``gaz.pattern``'s alternatives (in order) that may match ``text`` (every one that can,
    perhaps more), each with the positions its matches can start at when known, or None
    when it cannot tell. A Latin alias of word characters matches only where the text
    (lower-cased) holds it, one starting with three word characters only where it holds
    those three (there its matches start), one with required literals only where it holds
    one of them (one Aho-Corasick pass finds all of these); other aliases need a character
    of their script."""
    low = folded_cached(text)
    if not gaz.parts or gaz.keys is None or low is None:
        return None
    keep = set(gaz.keys.always)
    starts: dict[int, list[int]] = {}
    for end, (length, owners, anchored) in gaz.keys.automaton.iter(low):
        keep.update(owners)
        for i in anchored:
            starts.setdefault(i, []).append(end - length + 1)
    if not text.isascii():
        for name, rx in _SCRIPTS.items():
            if name in gaz.keys.by_script and rx.search(text):
                keep.update(gaz.keys.by_script[name])
    return [(gaz.parts[i][0], starts.get(i)) for i in sorted(keep)]


def _matches(gaz: Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """What ``gaz.pattern.finditer(text)`` finds, as ``(start, end, matched)``: from every
    position where some kept alternative matches, the first alternative's match, then on from
    its end (the alternation's own rule), without compiling an alternation per text."""
    kept = _kept(gaz, text)
    if kept is None:
        return [(m.start(), m.end(), m.group(0)) for m in gaz.pattern.finditer(text)]
    first: dict[int, int] = {}  # start → end of the first kept alternative matching there
    low = folded_cached(text)
    for rx, known in kept:
        starts = known if known is not None else _alias_starts(rx, low) if low is not None else None
        if starts is not None:  # every position the search below would find is one of these
            for p in starts:
                if (m := rx.match(text, p)) is not None:
                    first.setdefault(p, m.end())
            continue
        m = rx.search(text)
        while m is not None:
            first.setdefault(m.start(), m.end())
            m = rx.search(text, m.start() + 1)
    out = []
    pos = 0
    for start in sorted(first):
        if start >= pos:
            pos = first[start]
            out.append((start, pos, text[start:pos]))
    return out


@lru_cache(maxsize=4096)
def _anchors(pattern: str) -> tuple[frozenset[str], int] | None:
    return literal_anchors(pattern, re.IGNORECASE)


def _alias_starts(rx: re.Pattern[str], low: str) -> list[int] | None:
    """Where a match of an alias can start in a text whose :func:`folded` form is ``low``:
    near its anchor strings (:func:`~pipeline.extractors.literals.literal_anchors`); None
    when it cannot tell or there are too many."""
    return anchor_starts(partial(literal_spans, low), _anchors(rx.pattern))


def _lookup(gaz: Gazetteer, matched: str) -> Place | None:
    key = matched.casefold()
    if key in gaz.by_alias:
        return gaz.by_alias[key]
    squashed = re.sub(r"[\s-]", "", key)
    return next((p for a, p in gaz.by_alias.items() if re.sub(r"[\s-]", "", a) == squashed), None)


def find_places(text: str, gazetteer: str = str(GAZETTEER)) -> Iterator[Found]:
    for start, end, place in _places(text, gazetteer):
        yield Found("location", place.name, start, end,
                    {"kind": place.kind, "country": place.country, "indicator": KIND_INDICATOR[place.kind]})


@lru_cache(maxsize=256)
def _places(text: str, gazetteer: str) -> tuple[tuple[int, int, Place], ...]:
    """Gazetteer matches of ``text`` (cached: the phone and messaging finders ask for the
    countries of the same text)."""
    gaz = load_gazetteer(gazetteer)
    out = []
    for start, end, matched in _matches(gaz, text):
        place = _lookup(gaz, matched)
        if place is not None:
            out.append((start, end, place))
    return tuple(out)


def countries_mentioned(text: str) -> list[str]:
    """ISO codes of the countries of every place named in ``text``, first mention first."""
    return list(dict.fromkeys(place.country for _, _, place in _places(text, str(GAZETTEER))))


def finder(gazetteer: str) -> FinderComponent:
    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_places(text, gazetteer)
    return FinderComponent(run)


@Language.factory("lurewatch_locations_v1", default_config={"gazetteer": str(GAZETTEER)})
def make_locations(nlp: Language, name: str, gazetteer: str) -> FinderComponent:
    return finder(gazetteer)
