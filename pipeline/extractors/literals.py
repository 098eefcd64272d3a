"""Literal pre-checks for case-insensitive regexes: skip a pattern that cannot match a text.

:func:`required_literals` reads a pattern's parse tree and returns strings of which every match
must contain one (lower case), or None when it cannot tell. :func:`folded` lower-cases a text
for ``literal in folded(text)`` tests, or returns None when that test could disagree with
``re.IGNORECASE`` (the text holds a character with extra case equivalents, such as ``ı``
``ſ`` ``ς`` ``İ``, or whose lower case is longer). Dropping from an alternation the branches
whose literals are absent from a text leaves every ``finditer`` result unchanged: a branch
that cannot match anywhere never wins at any position.
"""

from __future__ import annotations

import _sre
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache, partial
from re import _constants as C  # noqa: N812
from re import _parser
from typing import Any

_MAX_SET = 64  # largest set of alternative strings followed exactly


@lru_cache(maxsize=1)
def _special() -> tuple[frozenset[str], re.Pattern[str]]:
    """Characters for which ``str.lower`` equality is not ``re.IGNORECASE`` equality, and a
    regex finding them."""
    try:
        from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - CPython 3.11 has it
        _EXTRA_CASES = {}
    extra = {chr(c) for k, v in _EXTRA_CASES.items() for c in (k, *v)}
    out = set()
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        simple = chr(_sre.unicode_tolower(cp))
        if ch in extra or simple in extra or ch.lower() != simple:
            out.add(ch)
    return frozenset(out), re.compile("[" + "".join(re.escape(c) for c in sorted(out)) + "]")


def folded(text: str) -> str | None:
    """``text.lower()`` when substring tests on it agree with ``re.IGNORECASE``, else None."""
    low = text.lower()
    if len(low) != len(text) or (not text.isascii() and _special()[1].search(text)):
        return None
    return low


def caseless_safe(ch: str) -> bool:
    """Whether ``re.IGNORECASE`` matches ``ch`` exactly where ``str.lower`` equality does
    (in texts :func:`folded` accepts)."""
    low = ch.lower()
    return len(low) == 1 and ch not in _special()[0] and low not in _special()[0]


#: (every string it can match, strings one of which every match contains (the most selective
#: such set), and the best such set whose start is a bounded distance from the match start,
#: with that distance)
Info = tuple[set[str] | None, set[str] | None, tuple[set[str] | None, int]]
Req = tuple[set[str] | None, int]  # a required set and how far into a match it may start
NO_REQ: Req = (None, 0)


def _score(s: set[str] | None) -> tuple[int, int]:
    if not s or "" in s:
        return (0, 0)
    return (min(map(len, s)), -len(s))


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    return a if _score(a) >= _score(b) else b


def _better_req(a: Req, b: Req) -> Req:
    return a if _score(a[0]) >= _score(b[0]) else b


def _width(items: Any, item: tuple[Any, Any]) -> int | None:
    state = getattr(items, "state", None) or _parser.State()
    hi = _parser.SubPattern(state, [item]).getwidth()[1]
    return hi if hi <= _MAX_WINDOW else None


def _seq(items: Sequence[Any]) -> Info:
    cur: set[str] | None = {""}
    cur_pre: int | None = 0  # where the strings of ``cur`` start (None: unbounded)
    done: int | None = 0  # widest run of the items seen so far
    exact = True
    best: set[str] | None = None
    near: Req = NO_REQ
    for item in items:
        e, r, (nr, npre) = _node(item)
        best = _better(best, r)
        if done is not None:
            near = _better_req(near, (nr, done + npre))
        if e is not None and cur is not None and len(cur) * len(e) <= _MAX_SET:
            cur = {a + b for a in cur for b in e}
        else:
            best = _better(best, cur)
            if cur_pre is not None:
                near = _better_req(near, (cur, cur_pre))
            exact = False  # cur now holds only the tail of the sequence
            cur, cur_pre = (e, done) if e is not None else ({""}, None)
        width = _width(items, item)
        done = None if done is None or width is None else done + width
        if cur == {""}:  # the strings to come start after this item
            cur_pre = done
    best = _better(best, cur)
    if cur_pre is not None:
        near = _better_req(near, (cur, cur_pre))
    return ((cur if exact else None), (best if best and "" not in best else None),
            (near if near[0] and "" not in near[0] else NO_REQ))


def _chars(lo: int, hi: int) -> list[str]:
    return [chr(c) for c in range(lo, hi + 1)]


def _node(item: tuple[Any, Any]) -> Info:
    op, av = item
    if op is C.LITERAL:
        ch = chr(av)
        return ({ch.lower()}, {ch.lower()}, ({ch.lower()}, 0)) if caseless_safe(ch) else (None, None, NO_REQ)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}, None, NO_REQ
    if op is C.SUBPATTERN:
        return _seq(av[-1])
    if op is C.ATOMIC_GROUP:
        return _seq(av)
    if op is C.IN:
        chars: set[str] = set()
        for kind, val in av:
            if kind is C.LITERAL and caseless_safe(chr(val)):
                chars.add(chr(val).lower())
            elif kind is C.RANGE and val[1] - val[0] < 16 and all(map(caseless_safe, _chars(*val))):
                chars.update(c.lower() for c in _chars(*val))
            else:
                return None, None, NO_REQ
        return chars, chars, (chars, 0)
    if op is C.BRANCH:
        infos = [_seq(alt) for alt in av[1]]
        exacts = [e for e, _, _ in infos]
        union = set().union(*exacts) if all(e is not None for e in exacts) else None  # type: ignore[arg-type]
        reqs = [_better(r, e) for e, r, _ in infos]
        req = set().union(*reqs) if all(r and "" not in r for r in reqs) else None  # type: ignore[arg-type]
        nears = [_better_req(n, (e, 0)) for e, _, n in infos]
        near: Req = NO_REQ
        if all(n[0] and "" not in n[0] for n in nears):
            near = (set().union(*(n[0] for n in nears if n[0])), max(n[1] for n in nears))
        return (union if union is not None and len(union) <= _MAX_SET else None), req, near
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        e, r, n = _seq(sub)
        if lo == 0:
            return ({""} | e if hi == 1 and e is not None else None), None, NO_REQ
        return (e if lo == hi == 1 else None), _better(r, e), _better_req(n, (e, 0))  # the first repetition
    return None, None, NO_REQ


def _minimal(req: set[str]) -> frozenset[str]:
    return frozenset(lit for lit in req if not any(other != lit and other in lit for other in req))


def literal_anchors(pattern: str, flags: int = re.IGNORECASE) -> tuple[frozenset[str], int] | None:
    """Strings one of which every match of ``pattern`` contains (lower case) at most ``n``
    characters after the match's start, as ``(strings, n)``; None when there are none."""
    near = _seq(_parser.parse(pattern, flags))[2]
    if not near[0]:
        return None
    kept = _minimal(near[0])
    # a dropped string holds a kept one, which may start later inside it
    extra = max((len(lit) - min(len(k) for k in kept if k in lit) for lit in near[0] - kept), default=0)
    return kept, near[1] + extra


def required_literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-case strings one of which every match of ``pattern`` contains, or None."""
    req = _seq(_parser.parse(pattern, flags))[1]
    return _minimal(req) if req else None


def present(literals: frozenset[str] | None, low: str) -> bool:
    """Whether ``low`` (from :func:`folded`) holds one of ``literals`` (None: no pre-check)."""
    return literals is None or any(lit in low for lit in literals)


@lru_cache(maxsize=64)
def folded_cached(text: str) -> str | None:
    """:func:`folded`, kept for the last texts (each finder asks for the same one)."""
    return folded(text)


#: a match wider than this, or a lookahead reaching further, is scanned over the whole text
_MAX_WINDOW = 400
#: more anchors than this: scanning the whole text once is cheaper than windows
MAX_ANCHORS = 24


def _lookahead_reach(items: Any) -> int | None:
    """How far past the end of what a pattern consumed its assertions may look (lookaheads,
    ``\\b``, ``$``): the sum of every lookahead's widest match plus 2 (an overestimate is
    safe), None when a lookahead is unbounded."""
    reach = 0
    for op, av in items:
        subs: list[Any] = []
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, sub = av
            if direction == 1:
                width = sub.getwidth()[1]
                if width > _MAX_WINDOW:
                    return None
                reach += width
            subs = [sub]
        elif op is C.SUBPATTERN:
            subs = [av[-1]]
        elif op is C.ATOMIC_GROUP:
            subs = [av]
        elif op is C.BRANCH:
            subs = list(av[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            subs = [av[2]]
        elif op is C.GROUPREF_EXISTS:
            subs = [x for x in av[1:] if x is not None]
        for sub in subs:
            inner = _lookahead_reach(sub)
            if inner is None:
                return None
            reach += inner
    return reach


def scan_bounds(pattern: str, flags: int = 0) -> tuple[int, int] | None:
    """``(width, reach)`` of a pattern: the most characters a match consumes and how far
    past them its assertions look; None when either is unbounded (or large)."""
    tree = _parser.parse(pattern, flags)
    width = tree.getwidth()[1]
    reach = _lookahead_reach(tree)
    if width > _MAX_WINDOW or reach is None or reach > _MAX_WINDOW:
        return None
    return width, reach + 2


def windowed_finditer(rx: re.Pattern[str], text: str, anchors: Sequence[tuple[int, int]],
                      width: int, reach: int) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` when every match of ``rx`` is at most ``width`` characters,
    looks at most ``reach`` characters past its end, and contains one of the ``anchors``
    ``(start, end)`` spans: only the stretches of text near an anchor are scanned.

    Same matches, same order: a match containing an anchor ``[s, e)`` starts in
    ``[e - width, s]``. Those start intervals are merged when closer than ``width`` (so a
    match found in one cannot still be running when the next begins) and each merged
    ``[a, b]`` is scanned with ``finditer(text, a, b + width + reach)``, keeping matches that
    start by ``b``. Lookbehinds and ``\\b`` see the text before ``a`` (``pos`` does not hide
    it), and every attempt starting by ``b`` sees all the text it could read."""
    spans = sorted((max(0, e - width), s) for s, e in anchors)
    n = len(text)
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + width:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        for m in rx.finditer(text, a, min(n, b + width + reach)):
            if m.start() > b:
                break
            yield m


#: more candidate starts than this: scanning the whole text once is cheaper
MAX_STARTS = 160


def anchored_finditer(rx: re.Pattern[str], text: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` when every match of ``rx`` starts at one of ``starts`` (sorted,
    distinct): ``rx.match`` is tried only there, past the end of the last match — the
    positions the full scan would try that can match, in its order. An empty match (after
    which the scan's rules differ) hands the rest to ``rx.finditer`` from that position."""
    last = 0
    for p in starts:
        if p < last:
            continue
        m = rx.match(text, p)
        if m is not None:
            if m.end() == m.start():
                yield from rx.finditer(text, p)
                return
            yield m
            last = m.end()


def candidate_starts(anchors: Iterable[int], before: int, limit: int = MAX_STARTS) -> list[int] | None:
    """Positions from ``before`` characters ahead of each anchor up to it, sorted and
    distinct; None when more than ``limit``."""
    out: set[int] = set()
    for s in anchors:
        out.update(range(max(0, s - before), s + 1))
        if len(out) > limit:
            return None
    return sorted(out)


def literal_spans(low: str, literals: Iterable[str], limit: int = MAX_ANCHORS) -> list[tuple[int, int]] | None:
    """Every occurrence of ``literals`` in ``low`` as ``(start, end)``; None when there are
    more than ``limit`` (scan the whole text instead)."""
    total = 0
    for lit in literals:
        total += low.count(lit)
        if total > limit:
            return None
    out = []
    for lit in literals:
        i = low.find(lit)
        while i >= 0:
            out.append((i, i + len(lit)))
            i = low.find(lit, i + 1)
    return out


#: where strings occur in a text's folded form, as ``(start, end)``; None when there are too many
SpansOf = Callable[[Iterable[str]], "list[tuple[int, int]] | None"]


def anchor_starts(spans_of: SpansOf, anchors: tuple[frozenset[str], int] | None) -> list[int] | None:
    """Every position a match can start at, given its :func:`literal_anchors`: up to ``n``
    characters before an occurrence of one of the strings; None when unknown or too many."""
    if anchors is None:
        return None
    spans = spans_of(anchors[0])
    return None if spans is None else candidate_starts((s for s, _ in spans), anchors[1])


def finditer_near(rx: re.Pattern[str], text: str, spans_of: SpansOf, anchors: tuple[frozenset[str], int] | None,
                  literals: frozenset[str] | None, bounds: tuple[int, int] | None,
                  scan: Callable[[], re.Pattern[str]] | None = None) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``, scanning only where a match can be: at the starts near its
    ``anchors`` (:func:`anchored_finditer`), else in windows around its ``literals`` when its
    matches are of bounded width (``bounds``, :func:`windowed_finditer`), else everywhere.
    ``scan``: gives a pattern with the same matches in ``text`` that is cheaper to run over
    stretches of it (made only when needed; ``rx`` serves the anchored starts)."""
    starts = anchor_starts(spans_of, anchors)
    if starts is not None:
        return anchored_finditer(rx, text, starts)
    scanned = rx if scan is None else scan()
    if literals is not None and bounds is not None:
        spans = spans_of(literals)
        if spans is not None and len(spans) <= MAX_ANCHORS:
            return windowed_finditer(scanned, text, spans, *bounds)
    return scanned.finditer(text)


class Prechecked:
    """A compiled regex whose ``finditer`` returns nothing at once when the text lacks every
    literal its matches need (or ``core``, a regex every match contains a match of), and
    otherwise tries only the positions near the strings its matches start close to
    (:func:`literal_anchors`, :func:`anchored_finditer`) or scans only the stretches near its
    literals when its matches are of bounded width (:func:`windowed_finditer`); same
    matches either way."""

    def __init__(self, rx: re.Pattern[str], core: re.Pattern[str] | None = None) -> None:
        self.rx = rx
        self.core = core
        self.literals = required_literals(rx.pattern, rx.flags)
        self.anchors = literal_anchors(rx.pattern, rx.flags)
        self.bounds = scan_bounds(rx.pattern, rx.flags) if self.literals is not None else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        low = folded_cached(text) if self.literals is not None or self.anchors is not None else None
        if low is not None and not present(self.literals, low):
            return iter(())
        if self.core is not None and self.core.search(text) is None:
            return iter(())
        if low is None:
            return self.rx.finditer(text)
        return finditer_near(self.rx, text, partial(literal_spans, low), self.anchors, self.literals, self.bounds)
