"""Highlight fragments for backends without a server-side highlighter (SQLite).

Output matches the Elasticsearch backend's (``encoder: html``): HTML-escaped text with each
match wrapped in ``<mark>…</mark>``; the whole title if it matched, then up to
``max_fragments`` windows of the text around matches.
"""

from __future__ import annotations

import html
import re

from pipeline.store.query import Terms, fold_latin

_WORD = re.compile(r"\w+")


def fold(s: str) -> str:
    """Case- and Latin-diacritic-free form, as FTS5 ``unicode61 remove_diacritics 2``."""
    return fold_latin(s).casefold()


def spans(text: str, terms: Terms) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans of ``text`` matched by ``terms``."""
    found: list[tuple[int, int]] = []
    wanted = {fold(t) for w in terms.words for t in _WORD.findall(w)}
    if wanted:
        for m in _WORD.finditer(text):
            if fold(m.group()) in wanted:
                found.append(m.span())
    lowered = text.lower()
    same_len = len(lowered) == len(text)  # else lower() moved offsets: match case-sensitively
    haystack = lowered if same_len else text
    for sub in terms.substrings:
        needle = sub.lower() if same_len else sub
        start = haystack.find(needle)
        while needle and start >= 0:
            found.append((start, start + len(needle)))
            start = haystack.find(needle, start + len(needle))
    found.sort()
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _render(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def fragments(
    title: str | None, text: str, terms: Terms, *, size: int = 150, max_fragments: int = 3
) -> list[str]:
    """Highlight fragments for one record; empty when nothing matched (or no terms)."""
    if not terms:
        return []
    out: list[str] = []
    if title:
        marks = spans(title, terms)
        if marks:
            out.append(_render(title, 0, len(title), marks))
    marks = spans(text, terms)
    windows: list[tuple[int, int]] = []
    for s, e in marks:
        if windows and e <= windows[-1][1]:
            continue
        if len(windows) == max_fragments:
            break
        lo = max(0, s - size // 3)
        windows.append((lo, min(len(text), max(e, lo + size))))
    out.extend(_render(text, lo, hi, marks) for lo, hi in windows)
    return out
