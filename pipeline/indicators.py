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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from pipeline.extractors.literals import (
    finditer_near,
    folded_cached,
    literal_anchors,
    required_literals,
    scan_bounds,
)
from pipeline.records import IndicatorHit
from pipeline.textnorm import NormText, normalize_text

VERSION = "indicators.v2"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    weight: float
    context: bool
    patterns: tuple[tuple[re.Pattern[str], float], ...]  # (compiled, weight of a hit)
    all_of: tuple[tuple[str, ...], ...] = ()  # combination parts (ids or group prefixes)
    context_factor: float = 1.0
    pattern_sets: tuple[PatternSet, ...] = ()  # ``patterns`` with literal pre-checks, same order

    @property
    def group(self) -> str:
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class PatternSet:
    """One alternation of an indicator's patterns of one weight, with the literals one of which
    each pattern's matches contain (:mod:`pipeline.extractors.literals`)."""

    rx: re.Pattern[str]
    weight: float
    parts: tuple[str, ...]
    literals: tuple[frozenset[str] | None, ...]
    #: whether some part has no pre-check, and the union of all parts' literals
    unchecked: bool = field(init=False, default=False)
    any_literal: frozenset[str] = field(init=False, default=frozenset())
    #: each part compiled on its own (an alternation of one part is that part)
    part_rx: tuple[re.Pattern[str], ...] = field(init=False, default=())
    #: each part's ``(width, reach)`` (:func:`~pipeline.extractors.literals.scan_bounds`), None if unbounded
    bounds: tuple[tuple[int, int] | None, ...] = field(init=False, default=())
    #: each part's :func:`~pipeline.extractors.literals.literal_anchors` (strings near a match's start)
    anchors: tuple[tuple[frozenset[str], int] | None, ...] = field(init=False, default=())
    #: :meth:`_scan_info` per subset of parts
    scan_info: dict[tuple[int, ...], Any] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unchecked", any(lits is None or "" in lits for lits in self.literals))
        object.__setattr__(self, "any_literal", frozenset().union(*(lits or () for lits in self.literals)))
        object.__setattr__(self, "part_rx", tuple(re.compile(p, re.IGNORECASE) for p in self.parts))
        object.__setattr__(self, "bounds", tuple(scan_bounds(p, re.IGNORECASE) for p in self.parts))
        object.__setattr__(self, "anchors", tuple(literal_anchors(p, re.IGNORECASE) for p in self.parts))

    def _subset(self, keep: list[int]) -> re.Pattern[str]:
        """The alternation of the parts ``keep`` (not empty)."""
        if len(keep) == len(self.parts):
            return self.rx
        if len(keep) == 1:
            return self.part_rx[keep[0]]
        return _alternation(tuple(self.parts[i] for i in keep))

    def _kept(self, found: Collection[str]) -> list[int] | None:
        if not self.unchecked and self.any_literal.isdisjoint(found):
            return None
        return [i for i, lits in enumerate(self.literals)
                if lits is None or "" in lits or not lits.isdisjoint(found)]

    def _scan_info(self, keep: tuple[int, ...]) -> tuple[tuple[frozenset[str], int] | None, frozenset[str] | None,
                                                        tuple[int, int] | None]:
        """The anchors, literals and bounds of the alternation of the parts ``keep`` (for
        :func:`~pipeline.extractors.literals.finditer_near`), worked out once per subset."""
        info = self.scan_info.get(keep)
        if info is None:
            anchors = [self.anchors[i] for i in keep]
            near = (frozenset().union(*(a[0] for a in anchors if a)), max(a[1] for a in anchors if a)) \
                if all(anchors) else None
            lits = [self.literals[i] for i in keep]
            literals = frozenset().union(*(x for x in lits if x)) if all(x and "" not in x for x in lits) else None
            bounds = [self.bounds[i] for i in keep]
            bound = (max(b[0] for b in bounds if b), max(b[1] for b in bounds if b)) if all(bounds) else None
            info = self.scan_info[keep] = (near, literals, bound)
        return info

    def finditer(self, text: str, positions: dict[str, list[int]] | None) -> Iterator[re.Match[str]]:
        """``rx.finditer(text)``, faster: only the patterns whose literals ``text`` holds
        (``positions``: :func:`literal_positions` of its folded form, None when it has none),
        scanned only where their matches can be
        (:func:`~pipeline.extractors.literals.finditer_near`)."""
        if positions is None:
            return self.rx.finditer(text)
        keep = self._kept(positions)
        if keep is None:
            return iter(())
        near, literals, bound = self._scan_info(tuple(keep))

        def spans_of(strings: Iterable[str]) -> list[tuple[int, int]]:
            return [(end - len(lit), end) for lit in strings for end in positions.get(lit, ())]

        # The whole alternation, already compiled, matches what the kept parts' alternation
        # matches (the other parts need a literal the text lacks, so they match nowhere in
        # it): it serves the few anchored starts, and the kept parts' alternation (compiled
        # once per subset) only a scan of stretches or of the whole text.
        rx = self.part_rx[keep[0]] if len(keep) == 1 else self.rx
        return finditer_near(rx, text, spans_of, near, literals, bound, scan=lambda: self._subset(keep))


@lru_cache(maxsize=1)
def _literal_automaton() -> Any:
    """An Aho-Corasick automaton of every literal the catalogue's patterns require."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for ind in load_indicators():
        for ps in ind.pattern_sets:
            for lits in (*ps.literals, *(a[0] for a in ps.anchors if a)):
                for lit in lits or ():
                    if lit:
                        automaton.add_word(lit, lit)
    automaton.make_automaton()
    return automaton


def literal_positions(low: str) -> dict[str, list[int]]:
    """Where each catalogue literal occurs in ``low`` (a :func:`folded` text): literal → end
    offsets (exclusive), in one scan."""
    out: dict[str, list[int]] = {}
    for end, lit in _literal_automaton().iter(low):
        out.setdefault(lit, []).append(end + 1)
    return out


@lru_cache(maxsize=16384)
def _alternation(parts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


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
    # One alternation per (indicator, weight): one scan of the text instead of one per
    # pattern; overlapping hits of the same indicator are reported once. Patterns get the
    # text's NFKC folding (Thai SARA AM "ำ" becomes "ํา" in the normalized text).
    out = []
    for w, pats in by_weight.items():
        parts = tuple(unicodedata.normalize("NFKC", p) for p in pats)
        out.append(PatternSet(_alternation(parts), w, parts, tuple(required_literals(p) for p in parts)))
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
    without a pre-check (some pattern requires no literal); literal → numbers of the sets
    one of whose patterns requires it."""
    flat = tuple((ind, ps) for ind in load_indicators() for ps in ind.pattern_sets)
    by_literal: dict[str, list[int]] = {}
    for i, (_, ps) in enumerate(flat):
        for lit in ps.any_literal:
            by_literal.setdefault(lit, []).append(i)
    return (flat, tuple(i for i, (_, ps) in enumerate(flat) if ps.unchecked),
            {lit: tuple(idx) for lit, idx in by_literal.items()})


def _pattern_sets(positions: dict[str, list[int]] | None) -> Iterator[tuple[Indicator, PatternSet]]:
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


def _single_hits(text: str, field: str, norm: NormText) -> list[IndicatorHit]:
    """Single-indicator hits in ``text`` (normalized as ``norm``), offsets into ``text``."""
    low = folded_cached(norm.text)
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


def _assign(parts: Sequence[tuple[str, ...]], hits: Sequence[IndicatorHit],
            used: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    """Indices of one hit per part, no two with the same evidence span (strongest hits tried
    first, backtracking), or None."""
    if not parts:
        return used
    taken = {(hits[j].field, hits[j].start, hits[j].end) for j in used}
    for i, h in enumerate(hits):
        if (h.field, h.start, h.end) not in taken and (h.id in parts[0] or h.id.split("-", 1)[0] in parts[0]):
            found = _assign(parts[1:], hits, (*used, i))
            if found is not None:
                return found
    return None


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


def post_hits(fields: Iterable[tuple[str, str, NormText]]) -> list[IndicatorHit]:
    """Every indicator hit of one post from its ``(field, text as captured, normalized text)``
    fields (title, text): one per single indicator and evidence span, one per part of each
    combination rule that fires across the fields, all weights down-weighted when the post is
    a warning or news post (see module doc)."""
    singles: list[IndicatorHit] = []
    for name, text, norm in fields:
        singles += _single_hits(text, name, norm)
    return finalize(singles)


def indicator_hits(text: str, field: str = "text") -> list[IndicatorHit]:
    """:func:`post_hits` of a post that is this one field (normalizes ``text``)."""
    return post_hits([(field, text, normalize_text(text))])
