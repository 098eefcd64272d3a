"""The literal gate: a case-insensitive regex is not run on a text lacking every literal its
matches need.

:func:`required_literals` gives strings (lower case) one of which every match of a pattern
contains, :func:`leading_literals` strings one of which every match starts with; None when it
cannot tell. Both read the pattern's parse tree (``re._parser``, CPython's own parser: the
standard library offers no public view of a pattern's structure, and the indicator
catalogue's generated patterns are too many to declare their literals by hand), once per
pattern, when it is compiled at import.

:func:`folded` lower-cases a text for ``literal in folded(text)`` tests, or gives None when
such a test could disagree with ``re.IGNORECASE`` (the text holds a character such as ``ı``
``ſ`` ``İ``). Callers fold a text once and pass the result on
(:class:`~pipeline.extractors.base.Hints`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from re import _constants as C  # noqa: N812
from re import _parser
from typing import Any

_MAX_SET = 64  # largest set of alternative strings followed exactly


@lru_cache(maxsize=1)
def special_characters() -> tuple[frozenset[str], re.Pattern[str]]:
    """Non-ASCII characters for which ``str.lower`` equality is not ``re.IGNORECASE``
    equality (a lower case of several characters, or a case class whose members' lower cases
    differ: ``ı`` and ``i`` share ``I``), and a regex finding them."""
    classes: dict[str, set[str]] = {}
    for cp in range(0x10000):
        ch = chr(cp)
        classes.setdefault(ch.casefold(), set()).add(ch)
        if len(ch.upper()) == 1:
            classes.setdefault("upper:" + ch.upper(), set()).add(ch)
    out = {chr(cp) for cp in range(0x80, 0x10000) if len(chr(cp).lower()) != 1}
    for members in classes.values():
        if len({ch.lower() for ch in members}) > 1:
            out.update(ch for ch in members if ord(ch) >= 0x80)
    return frozenset(out), re.compile("[" + "".join(re.escape(c) for c in sorted(out)) + "]")


def folded(text: str) -> str | None:
    """``text.lower()`` when substring tests on it agree with ``re.IGNORECASE``, else None."""
    low = text.lower()
    if len(low) != len(text) or (not text.isascii() and special_characters()[1].search(text)):
        return None
    return low


def caseless_safe(ch: str) -> bool:
    """Whether ``re.IGNORECASE`` matches ``ch`` exactly where ``str.lower`` equality does
    (in texts :func:`folded` accepts)."""
    low = ch.lower()
    return len(low) == 1 and ch not in special_characters()[0] and low not in special_characters()[0]


#: (every string a parsed sequence can match, strings one of which every match contains,
#: strings one of which every match starts with); None where unknown or too many
Info = tuple[set[str] | None, set[str] | None, set[str] | None]
UNKNOWN: Info = (None, None, None)


def _score(s: set[str] | None) -> tuple[int, int]:
    if not s or "" in s:
        return (0, 0)
    return (min(map(len, s)), -len(s))


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    return a if _score(a) >= _score(b) else b


def _product(a: set[str], b: set[str]) -> set[str] | None:
    return {x + y for x in a for y in b} if len(a) * len(b) <= _MAX_SET else None


def _known(s: set[str] | None) -> set[str] | None:
    return s if s and "" not in s else None


def _seq(items: Sequence[Any]) -> Info:
    run: set[str] = {""}  # every string the current run of exact items matches
    exact = True  # the items so far are one exact run
    best: set[str] | None = None
    lead: set[str] | None = None  # fixed at the first item that ends the exact run
    for item in items:
        e, r, first = _node(item)
        best = _better(best, r)
        joined = _product(run, e) if e is not None else None
        if joined is not None:
            run = joined
            continue
        if exact:
            lead = (_product(run, first) if first is not None else None) or run
            exact = False
        best = _better(best, run)
        run = e if e is not None else {""}
    best = _better(best, run)
    return (run, _known(best), _known(run)) if exact else (None, _known(best), _known(lead))


def _chars(lo: int, hi: int) -> list[str]:
    return [chr(c) for c in range(lo, hi + 1)]


def _node(item: tuple[Any, Any]) -> Info:
    op, av = item
    if op is C.LITERAL:
        ch = chr(av)
        return ({ch.lower()}, {ch.lower()}, {ch.lower()}) if caseless_safe(ch) else UNKNOWN
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}, None, {""}
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
                return UNKNOWN
        return chars, set(chars), set(chars)
    if op is C.BRANCH:
        infos = [_seq(alt) for alt in av[1]]
        exacts = [e for e, _, _ in infos]
        union = set().union(*exacts) if all(e is not None for e in exacts) else None  # type: ignore[arg-type]
        reqs = [_better(r, e) for e, r, _ in infos]
        firsts = [f for _, _, f in infos]
        return ((union if union is not None and len(union) <= _MAX_SET else None),
                (set().union(*reqs) if all(_known(r) for r in reqs) else None),  # type: ignore[arg-type]
                (set().union(*firsts) if all(_known(f) for f in firsts) else None))  # type: ignore[arg-type]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        e, r, first = _seq(sub)
        if lo == 0:
            return ({""} | e if hi == 1 and e is not None else None), None, None
        return (e if lo == hi == 1 else None), _better(r, e), first  # a match starts with the first repetition
    return UNKNOWN


def required_literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-case strings one of which every match of ``pattern`` contains, or None. A
    string holding another one of the set is left out (a text holding it holds the other)."""
    req = _seq(_parser.parse(pattern, flags))[1]
    if not req:
        return None
    return frozenset(lit for lit in req if not any(other != lit and other in lit for other in req))


def leading_literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-case strings one of which every match of ``pattern`` starts with, or None."""
    lead = _seq(_parser.parse(pattern, flags))[2]
    return frozenset(lead) if lead else None


class Prechecked:
    """A compiled regex and the literals one of which its every match contains
    (:func:`required_literals`): :meth:`finditer` is the regex's own, except that a text
    lacking all of them (or in which ``core``, a regex every match contains a match of, finds
    nothing) is not scanned."""

    def __init__(self, rx: re.Pattern[str], core: re.Pattern[str] | None = None) -> None:
        self.rx = rx
        self.core = core
        self.literals = required_literals(rx.pattern, rx.flags)

    def finditer(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """``rx.finditer(text)``. ``low``: :func:`folded` of ``text``, or None (no literal
        check)."""
        if low is not None and self.literals is not None and not any(lit in low for lit in self.literals):
            return iter(())
        if self.core is not None and self.core.search(text) is None:
            return iter(())
        return self.rx.finditer(text)
