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
from collections.abc import Iterator, Sequence
from functools import lru_cache
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


Info = tuple[set[str] | None, set[str] | None]  # (every string it can match, strings a match contains)


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    def score(s: set[str] | None) -> tuple[int, int]:
        if not s or "" in s:
            return (0, 0)
        return (min(map(len, s)), -len(s))
    return a if score(a) >= score(b) else b


def _seq(items: Sequence[Any]) -> Info:
    cur: set[str] | None = {""}
    exact = True
    best: set[str] | None = None
    for item in items:
        e, r = _node(item)
        best = _better(best, r)
        if e is not None and cur is not None and len(cur) * len(e) <= _MAX_SET:
            cur = {a + b for a in cur for b in e}
            continue
        best = _better(best, cur)
        exact = False  # cur now holds only the tail of the sequence
        cur = e if e is not None else {""}
    best = _better(best, cur)
    return (cur if exact else None), (best if best and "" not in best else None)


def _chars(lo: int, hi: int) -> list[str]:
    return [chr(c) for c in range(lo, hi + 1)]


def _node(item: tuple[Any, Any]) -> Info:
    op, av = item
    if op is C.LITERAL:
        ch = chr(av)
        return ({ch.lower()}, {ch.lower()}) if caseless_safe(ch) else (None, None)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}, None
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
                return None, None
        return chars, chars
    if op is C.BRANCH:
        infos = [_seq(alt) for alt in av[1]]
        exacts = [e for e, _ in infos]
        union = set().union(*exacts) if all(e is not None for e in exacts) else None  # type: ignore[arg-type]
        reqs = [_better(r, e) for e, r in infos]
        req = set().union(*reqs) if all(r and "" not in r for r in reqs) else None  # type: ignore[arg-type]
        return (union if union is not None and len(union) <= _MAX_SET else None), req
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        e, r = _seq(sub)
        if lo == 0:
            return ({""} | e if hi == 1 and e is not None else None), None
        return (e if lo == hi == 1 else None), _better(r, e)
    return None, None


def required_literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-case strings one of which every match of ``pattern`` contains, or None."""
    _, req = _seq(_parser.parse(pattern, flags))
    if not req:
        return None
    return frozenset(lit for lit in req if not any(other != lit and other in lit for other in req))


def present(literals: frozenset[str] | None, low: str) -> bool:
    """Whether ``low`` (from :func:`folded`) holds one of ``literals`` (None: no pre-check)."""
    return literals is None or any(lit in low for lit in literals)


@lru_cache(maxsize=64)
def folded_cached(text: str) -> str | None:
    """:func:`folded`, kept for the last texts (each finder asks for the same one)."""
    return folded(text)


class Prechecked:
    """A compiled regex whose ``finditer`` returns nothing at once when the text lacks every
    literal its matches need (same matches otherwise)."""

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.literals = required_literals(rx.pattern, rx.flags)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.literals is not None:
            low = folded_cached(text)
            if low is not None and not present(self.literals, low):
                return iter(())
        return self.rx.finditer(text)
