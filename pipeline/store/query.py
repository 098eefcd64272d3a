"""Search arguments shared by the store backends: query terms, filters, sort.

A query is split on whitespace. A term containing a character of a script written without
spaces (CJK, Thai, Lao, Khmer, Myanmar) is a *substring* term: it matches wherever it occurs
inside the title or text. Every other term is a *word* term, matched as a whole word (case-
insensitive; SQLite also ignores Latin diacritics). All terms must match (AND).

Invalid field names are programmer errors and raise ValueError.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pipeline.store.base import FILTER_FIELDS

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
    for raw in (query or "").split():
        if has_unspaced_script(raw):
            subs.append(raw)
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


def normalize_filters(filters: dict[str, Any] | None) -> tuple[dict[str, list[Any]], float | None]:
    """Validate ``filters``; returns ({field: [values]}, score_gte). A scalar becomes a
    one-element list (values of one field are OR-ed, fields are AND-ed). ``None`` as a value
    means the field is missing."""
    out: dict[str, list[Any]] = {}
    score_gte: float | None = None
    for name, value in (filters or {}).items():
        if name == "score_gte":
            score_gte = float(value)
            continue
        if name not in FILTER_FIELDS:
            raise ValueError(
                f"cannot filter by {name!r}; use one of {FILTER_FIELDS} or 'score_gte'"
            )
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        if not values:
            raise ValueError(f"filter {name!r} has an empty list of values")
        out[name] = values
    return out, score_gte


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
