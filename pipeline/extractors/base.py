"""What every extractor component shares: the :class:`Found` item, the doc keys it is
stored under, and :class:`FinderComponent`, the spaCy component wrapper.

Each identifier family is one module with one finder (a function of the text and the
identifiers already found) registered as a spaCy factory ``lurewatch_<family>_v1``. A finder
works on character offsets of ``doc.text``; the component appends its items to
``doc.user_data["identifiers"]`` (:class:`Found`, exact offsets, extra details), to
``doc.user_data["identifier_chars"]`` (``(type, value, start, end)``) and to
``doc.spans["identifiers"]`` (token-expanded, label = type, ``kb_id_`` = value).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from pipeline.extractors.literals import folded

SPANS_KEY = "identifiers"
FOUND_KEY = "identifiers"
CHARS_KEY = "identifier_chars"


@dataclass(frozen=True)
class Found:
    """One identifier: ``[start, end)`` in the text searched, normalized ``value``, and
    optional ``extra`` details (e.g. ``shortener``, ``amount_usd_month``, ``kind``)."""

    type: str
    value: str
    start: int
    end: int
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_tuple(self) -> tuple[str, str, int, int]:
        return (self.type, self.value, self.start, self.end)


@dataclass(frozen=True)
class Hints:
    """What a finder may know besides the text: post language and source region (ISO 3166),
    and the text folded once for every finder's literal checks
    (:func:`~pipeline.extractors.literals.folded`; None: not given or refused, and regexes
    then scan the text unchecked)."""

    lang: str | None = None
    region: str | None = None
    folded: str | None = None


#: No hints (a shared default: ``Hints`` is frozen).
NO_HINTS = Hints()

Finder = Callable[[str, Hints, Sequence[Found]], Iterable[Found]]


class Spans:
    """Character spans ``[start, end)`` that a new find must not overlap. Kept as their union,
    disjoint runs sorted by start (ends sorted too), so adding or testing one is a binary
    search, not a pass over every span so far."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in spans:
            self.add(start, end)

    @classmethod
    def of(cls, found: Iterable[Found], *types: str) -> Spans:
        """The spans of ``found`` (those of ``types`` when given)."""
        return cls((f.start, f.end) for f in found if not types or f.type in types)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` (not empty) shares a character with a span."""
        i = bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        lo, hi = bisect_left(self.ends, start), bisect_right(self.starts, end)
        if lo < hi:  # runs [lo, hi) overlap or touch the new span: merge them
            start, end = min(start, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]


def hints_of(doc: Doc) -> Hints:
    return Hints(lang=doc.user_data.get("lang") or doc.lang_ or None, region=doc.user_data.get("region"),
                 folded=folded(doc.text))


class FinderComponent:
    """spaCy component running one finder over ``doc.text`` (see module doc)."""

    def __init__(self, finder: Callable[[str, Hints, Sequence[Found]], Iterable[Found]]) -> None:
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        found: list[Found] = doc.user_data.setdefault(FOUND_KEY, [])
        new = [f for f in self.finder(doc.text, hints_of(doc), tuple(found)) if f.end > f.start]
        found.extend(new)
        doc.user_data[CHARS_KEY] = [f.as_tuple() for f in found]
        spans = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
        for f in new:
            span = doc.char_span(f.start, f.end, label=f.type, kb_id=f.value, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPANS_KEY] = spans
        return doc
