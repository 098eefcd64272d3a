"""Indicators: the sourced patterns of ``pipeline/indicators.yaml`` run over a post's
normalized title and text; every hit keeps its evidence span in the text as captured
(``IndicatorHit.start``/``end`` index ``field`` exactly as given). Called by
:func:`pipeline.signals.post_signals`, which normalizes each field once and passes it in.

Three kinds of catalogue entries, evaluated in this order:

1. **Single indicators** (``patterns``): one hit per indicator and evidence span; a pattern
   listed under ``unverified`` weighs ``unverified_weight`` instead of ``weight``.
2. **Combination rules** (``all_of``: a list of parts, each a list of indicator ids or group
   prefixes such as ``LOC``): fire when every part is met by a single hit with its own evidence span. A rule
   is reported as one hit per part, each with that part's evidence span and field, and the
   rule's weight split evenly over them (so the rule adds exactly ``weight`` in total).
3. **Context rule** (``context: true``, CTX-WARN): marks warning, news and awareness posts.
   Its hits weigh 0; when it fires, every other hit of the post (singles and combinations)
   weighs ``context_factor`` (0.3) times its weight. A post quoting an ad inside a warning
   therefore keeps all its evidence but scores 0.3 of the ad. The stage applies the context
   across title and text: a warning title down-weights the text's hits (:func:`post_hits`).

A pattern runs only on a text holding one of the literals every match of it contains, all of
the catalogue's literals found in one Aho-Corasick pass (pyahocorasick) over the folded text;
one whose matches all start with a literal is tried only where one starts (:class:`PatternSet`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from pipeline.extractors.literals import folded, leading_literals, required_literals
from pipeline.records import IndicatorHit
from pipeline.textnorm import NormText, normalize_text

VERSION = "indicators.v2"

#: where each catalogue literal starts in a text's folded form (literal → offsets, ascending)
Positions = dict[str, list[int]]
#: a pattern's first match starting at a given offset or later, in one text
Searcher = Callable[[int], "re.Match[str] | None"]


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    weight: float
    context: bool
    patterns: tuple[tuple[re.Pattern[str], float], ...]  # (compiled, weight of a hit)
    all_of: tuple[tuple[str, ...], ...] = ()  # combination parts (ids or group prefixes)
    context_factor: float = 1.0
    pattern_sets: tuple[PatternSet, ...] = ()  # ``patterns`` with their literals, same order

    @property
    def group(self) -> str:
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class Pattern:
    """One catalogue pattern compiled on its own, with the literals one of which its every
    match contains and those one of which its every match starts with
    (:mod:`pipeline.extractors.literals`; None: unknown)."""

    rx: re.Pattern[str]
    literals: frozenset[str] | None
    leading: frozenset[str] | None

    @classmethod
    def of(cls, pattern: str) -> Pattern:
        return cls(re.compile(pattern, re.IGNORECASE), required_literals(pattern), leading_literals(pattern))

    def searcher(self, text: str, positions: Positions) -> Searcher:
        """The first match in ``text`` from a given offset on: tried only where one of its
        leading literals starts, when it has them, else searched for."""
        if self.leading is None:
            return lambda pos: self.rx.search(text, pos)
        starts = sorted({s for lit in self.leading for s in positions.get(lit, ())})

        def first(pos: int) -> re.Match[str] | None:
            for i in range(bisect_left(starts, pos), len(starts)):
                if (m := self.rx.match(text, starts[i])) is not None:
                    return m
            return None
        return first


@dataclass(frozen=True)
class PatternSet:
    """An indicator's patterns of one weight, found as their alternation ``rx`` finds them:
    at the first position where one matches, the match of the first that does, then on from
    its end (overlapping hits of one indicator are reported once)."""

    rx: re.Pattern[str]
    weight: float
    patterns: tuple[Pattern, ...]

    @property
    def literals(self) -> frozenset[str]:
        return frozenset().union(*(p.literals or () for p in self.patterns))

    @property
    def unchecked(self) -> bool:
        """Whether some pattern has no literals (it may match any text)."""
        return any(p.literals is None for p in self.patterns)

    def finditer(self, text: str, positions: Positions | None) -> Iterator[re.Match[str]]:
        """``rx.finditer(text)``, running only the patterns one of whose literals occurs
        (``positions``: :func:`literal_positions` of the text's folded form; None: ``rx`` is
        run)."""
        if positions is None or self.unchecked:
            return self.rx.finditer(text)
        return _first_matches([p.searcher(text, positions) for p in self.patterns
                               if p.literals is not None and not p.literals.isdisjoint(positions)])


def _first_matches(searchers: Sequence[Searcher]) -> Iterator[re.Match[str]]:
    """The matches of the alternation of some patterns (in order), given each one's
    :data:`Searcher`: the earliest match of any, the first pattern's on a tie, then on from
    its end. No match is empty (each holds a literal)."""
    ahead = [first(0) for first in searchers]
    while True:
        best = None
        for m in ahead:
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return
        yield best
        pos = best.end()
        ahead = [m if m is None or m.start() >= pos else first(pos) for m, first in zip(ahead, searchers, strict=True)]


@lru_cache(maxsize=1)
def _literal_automaton() -> Any:
    """An Aho-Corasick automaton of every literal, required or leading, of the catalogue."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for ind in load_indicators():
        for ps in ind.pattern_sets:
            for p in ps.patterns:
                for lit in (*(p.literals or ()), *(p.leading or ())):
                    automaton.add_word(lit, (lit, len(lit) - 1))
    automaton.make_automaton()
    return automaton


def literal_positions(low: str) -> Positions:
    """Where each catalogue literal starts in ``low`` (a folded text), in one scan."""
    out: Positions = {}
    for last, (lit, back) in _literal_automaton().iter(low):
        out.setdefault(lit, []).append(last - back)
    return out


def _compile(item: dict[str, Any]) -> tuple[PatternSet, ...]:
    unverified = set(item.get("unverified") or [])
    by_weight: dict[float, list[str]] = {}
    for lang, pats in (item.get("patterns") or {}).items():
        for pat in pats:
            try:
                re.compile(pat)
            except re.error as exc:
                raise ValueError(f"indicator {item['id']} ({lang}): bad pattern {pat!r}: {exc}") from exc
            weight = item.get("unverified_weight", 0.25) if pat in unverified else item["weight"]
            by_weight.setdefault(float(weight), []).append(pat)
    # One pattern set per (indicator, weight), found as one alternation: overlapping hits of
    # the same indicator are reported once. Patterns get the text's NFKC folding (Thai SARA
    # AM "ำ" becomes "ํา" in the normalized text).
    out = []
    for w, pats in by_weight.items():
        parts = [unicodedata.normalize("NFKC", p) for p in pats]
        rx = re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
        out.append(PatternSet(rx, w, tuple(Pattern.of(p) for p in parts)))
    return tuple(out)


@lru_cache(maxsize=1)
def load_indicators() -> tuple[Indicator, ...]:
    """The indicator catalogue (loaded and compiled once). Raises ValueError naming the
    indicator whose pattern does not compile or whose combination names an unknown part."""
    raw = resources.files("pipeline").joinpath("indicators.yaml").read_text("utf-8")
    out = []
    for item in yaml.safe_load(raw):
        parts = tuple(tuple([p] if isinstance(p, str) else p) for p in item.get("all_of") or ())
        sets = _compile(item)
        out.append(Indicator(item["id"], item["label"], float(item["weight"]), bool(item.get("context")),
                             tuple((ps.rx, ps.weight) for ps in sets), parts, float(item.get("context_factor", 1.0)),
                             sets))
    known = {i.id for i in out} | {i.group for i in out}
    for ind in out:
        bad = [p for part in ind.all_of for p in part if p not in known]
        if bad:
            raise ValueError(f"indicator {ind.id}: all_of names unknown ids/groups {bad}")
    return tuple(out)


@lru_cache(maxsize=1)
def _catalogue_index() -> tuple[tuple[tuple[Indicator, PatternSet], ...], tuple[int, ...], dict[str, tuple[int, ...]]]:
    """Every (indicator, pattern set) of the catalogue in order; the numbers of those
    with an unchecked pattern; literal → numbers of the sets one of whose patterns requires it."""
    flat = tuple((ind, ps) for ind in load_indicators() for ps in ind.pattern_sets)
    by_literal: dict[str, list[int]] = {}
    for i, (_, ps) in enumerate(flat):
        for lit in ps.literals:
            by_literal.setdefault(lit, []).append(i)
    return (flat, tuple(i for i, (_, ps) in enumerate(flat) if ps.unchecked),
            {lit: tuple(idx) for lit, idx in by_literal.items()})


def _pattern_sets(positions: Positions | None) -> Iterator[tuple[Indicator, PatternSet]]:
    """The catalogue's (indicator, pattern set) pairs in order; given a text's
    :func:`literal_positions`, only those that can match it (no pre-check, or a literal one
    of its patterns requires is there: what :meth:`PatternSet.finditer` would check)."""
    flat, unchecked, by_literal = _catalogue_index()
    if positions is None:
        yield from flat
        return
    keep = set(unchecked)
    for lit in positions:
        keep.update(by_literal.get(lit, ()))
    for i in sorted(keep):
        yield flat[i]


def _single_hits(text: str, field: str, norm: NormText, low: str | None) -> list[IndicatorHit]:
    """Single-indicator hits in ``text`` (normalized as ``norm``, which ``low`` is
    ``folded``), offsets into ``text``."""
    positions = literal_positions(low) if low is not None else None
    hits: dict[tuple[str, int, int], IndicatorHit] = {}
    for ind, ps in _pattern_sets(positions):
        for m in ps.finditer(norm.text, positions):
            if m.end() == m.start():
                continue
            start, end = norm.to_original(m.start(), m.end())
            key = (ind.id, start, end)
            if key not in hits:
                w = 0.0 if ind.context else ps.weight
                hits[key] = IndicatorHit(id=ind.id, start=start, end=end, weight=w,
                                         evidence=text[start:end], field=field)
    return list(hits.values())


def _assign(parts: Sequence[tuple[str, ...]], hits: Sequence[IndicatorHit]) -> tuple[int, ...] | None:
    """Indices of one hit per part, no two with the same evidence span, or None: the first
    such choice in the order of ``hits`` (strongest first), part after part, backtracking.
    Hits of one span are one choice for a part, and a failure is remembered with the spans it
    depended on, so a post with many hits is not searched exponentially."""
    spans = [(h.field, h.start, h.end) for h in hits]
    cands = [[i for i, h in enumerate(hits) if h.id in part or h.id.split("-", 1)[0] in part] for part in parts]
    if not all(cands):
        return None
    later: list[frozenset[tuple[str, int, int]]] = [frozenset()] * (len(parts) + 1)  # spans parts d… may take
    for d in range(len(parts) - 1, -1, -1):
        later[d] = later[d + 1] | {spans[i] for i in cands[d]}
    failed: set[tuple[int, frozenset[tuple[str, int, int]]]] = set()

    def search(d: int, used: frozenset[tuple[str, int, int]]) -> tuple[int, ...] | None:
        if d == len(parts):
            return ()
        if (d, used & later[d]) in failed:
            return None
        tried = set()
        for i in cands[d]:
            if spans[i] in used or spans[i] in tried:
                continue
            tried.add(spans[i])
            rest = search(d + 1, used | {spans[i]})
            if rest is not None:
                return (i, *rest)
        failed.add((d, used & later[d]))
        return None
    return search(0, frozenset())


def _combination_hits(singles: Sequence[IndicatorHit]) -> list[IndicatorHit]:
    ordered = sorted((h for h in singles if h.weight > 0), key=lambda h: (-h.weight, h.field, h.start))
    out = []
    for ind in load_indicators():
        if not ind.all_of:
            continue
        chosen = _assign(ind.all_of, ordered)
        if chosen is None:
            continue
        share = ind.weight / len(chosen)
        out += [replace(ordered[i], id=ind.id, weight=share) for i in chosen]
    return out


def finalize(singles: list[IndicatorHit]) -> list[IndicatorHit]:
    """Single hits (of one post, any fields) → plus combination hits, context applied, sorted."""
    hits = singles + _combination_hits(singles)
    context = [ind for ind in load_indicators() if ind.context and any(h.id == ind.id for h in singles)]
    if context:
        factor = min(ind.context_factor for ind in context)
        hits = [h if h.weight <= 0 else replace(h, weight=h.weight * factor) for h in hits]
    return sorted(hits, key=lambda h: (h.field, h.start, h.id, h.end))


def post_hits(fields: Iterable[tuple[str, str, NormText, str | None]]) -> list[IndicatorHit]:
    """Every indicator hit of one post from its ``(field, text as captured, normalized text,
    folded normalized text)`` fields (title, text; the last is
    :func:`~pipeline.extractors.literals.folded` of ``norm.text``): one per single indicator
    and evidence span, one per part of each combination rule that fires across the fields,
    all weights down-weighted when the post is a warning or news post (see module doc)."""
    singles: list[IndicatorHit] = []
    for name, text, norm, low in fields:
        singles += _single_hits(text, name, norm, low)
    return finalize(singles)


def indicator_hits(text: str, field: str = "text") -> list[IndicatorHit]:
    """:func:`post_hits` of a post that is this one field (normalizes ``text``)."""
    norm = normalize_text(text)
    return post_hits([(field, text, norm, folded(norm.text))])
