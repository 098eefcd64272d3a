"""Search arguments shared by the store backends: query terms, filters, sort.

A query is split on whitespace. A term containing a character of a script written without
spaces (CJK, Thai, Lao, Khmer, Myanmar) is a *substring* term: it matches wherever it occurs
inside the title or text. Every other term is a *word* term, matched as a whole word (case-
insensitive; SQLite also ignores Latin diacritics). All terms must match (AND).

User query text is never syntax: quotes, brackets, ``AND``/``OR``/``NOT``, ``*:*`` are plain
words or dropped punctuation, control characters are spaces, and a query is cut to
:data:`MAX_QUERY_CHARS` characters and :data:`MAX_TERMS` terms, so no input makes a backend
raise. Invalid *field names* are programmer errors and raise ValueError.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipeline.store.base import FILTER_FIELDS, RANGE_FILTERS
from pipeline.store.lifecycle import parse_time

#: Sortable fields (with an optional leading ``-`` for descending); ties are broken by id.
SORT_FIELDS = ("score", "fetched_at", "published_at")

#: Facet buckets returned per field, most frequent first (ties by value).
FACET_SIZE = 50

_UNSPACED = re.compile(
    "["
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-G
    "]"
)
_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")

#: A query longer than this is cut (a pasted page must not become a 100k-clause query).
MAX_QUERY_CHARS = 1000
#: At most this many terms are used, and a substring term is cut to MAX_SUBSTRING chars.
MAX_TERMS = 32
MAX_SUBSTRING = 64


@dataclass(frozen=True)
class Terms:
    words: tuple[str, ...] = ()
    substrings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.substrings)


def has_unspaced_script(s: str) -> bool:
    return _UNSPACED.search(s) is not None


def fold_latin(s: str) -> str:
    """``s`` with diacritics removed from Latin letters only (``lương`` → ``luong``,
    ``đ`` → ``d``); other scripts (Thai tone marks, CJK) are left alone, as FTS5
    ``remove_diacritics 2`` does. Case is kept."""
    out: list[str] = []
    latin = False
    for c in unicodedata.normalize("NFC", s):
        if unicodedata.combining(c):
            if not latin:
                out.append(c)
            continue
        base = _LATIN_EXTRA.get(c) or unicodedata.normalize("NFKD", c)[0]
        latin = base < "\u0250"
        out.append(base if latin and base.isalpha() else c)
    return "".join(out)


_LATIN_EXTRA = {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}


def parse_query(query: str | None) -> Terms:
    """Split ``query`` into word and substring terms; punctuation-only terms are dropped,
    so a query with no usable term matches everything."""
    words: list[str] = []
    subs: list[str] = []
    text = _CONTROL.sub(" ", (query or "")[:MAX_QUERY_CHARS])
    for raw in text.split():
        if len(words) + len(subs) >= MAX_TERMS:
            break
        if has_unspaced_script(raw):
            subs.append(raw[:MAX_SUBSTRING])
        elif _WORD.search(raw):
            words.append(raw)
    return Terms(tuple(words), tuple(subs))


def parse_sort(sort: str) -> tuple[str, bool]:
    """``"-score"`` → ``("score", True)``; raises ValueError for an unknown field."""
    desc = sort.startswith("-")
    name = sort.lstrip("-+")
    if name not in SORT_FIELDS:
        raise ValueError(f"cannot sort by {sort!r}; use one of {SORT_FIELDS} (optional '-')")
    return name, desc


@dataclass
class Filters:
    """Validated filters: ``values`` {field: [values]} (values OR-ed, fields AND-ed; None means
    missing) and ``ranges`` {field: (low, high)} with epoch-millisecond bounds for dates."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


def to_millis(value: Any, *, end_of_day: bool = False) -> int:
    """Epoch milliseconds of an ISO 8601 date or time (naive = UTC); a bare date as an upper
    bound means the end of that day. Raises ValueError."""
    text = str(value)
    ms = int(parse_time(text).timestamp() * 1000)
    if end_of_day and len(text) == 10:
        ms += 86_400_000 - 1
    return ms


def normalize_filters(filters: dict[str, Any] | None) -> Filters:
    """Validate ``filters`` (names in FILTER_FIELDS or RANGE_FILTERS); a scalar becomes a
    one-element list. Raises ValueError for an unknown name, an empty list or a bad bound."""
    out = Filters()
    for name, value in (filters or {}).items():
        if name in RANGE_FILTERS:
            target, side = RANGE_FILTERS[name]
            try:
                bound = (float(value) if target == "score"
                         else to_millis(value, end_of_day=side == "lte"))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"filter {name}={value!r} is not a valid bound") from exc
            low, high = out.ranges.get(target, (None, None))
            out.ranges[target] = (bound, high) if side == "gte" else (low, bound)
            continue
        if name not in FILTER_FIELDS:
            raise ValueError(
                f"cannot filter by {name!r}; use one of {FILTER_FIELDS} or {tuple(RANGE_FILTERS)}"
            )
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        if not values:
            raise ValueError(f"filter {name!r} has an empty list of values")
        out.values[name] = values
    return out


def check_facets(facets: Any) -> list[str]:
    names = list(facets)
    for name in names:
        if name not in FILTER_FIELDS:
            raise ValueError(f"cannot facet by {name!r}; use one of {FILTER_FIELDS}")
    return names


def facet_key(value: Any) -> str:
    """Facet bucket keys are strings; booleans are ``"true"``/``"false"`` as in Elasticsearch."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
