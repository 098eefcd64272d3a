"""Text normalization with an offset map back to the text as captured.

Every span the system reports points into the original text; analysis runs on the
normalized text. :func:`normalize_text` folds compatibility forms (NFKC: fullwidth letters
and digits, mathematical bold…), removes zero-width and soft-hyphen characters, turns
local-script digits (Thai, Khmer, Lao, Burmese…) into ASCII and collapses whitespace runs,
keeping for every output character the original span it came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Characters removed outright (zero-width, joiners, BOM, soft hyphen, bidi marks).
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e")


@dataclass(frozen=True)
class NormText:
    """Normalized ``text`` with, per character, the ``[start, end)`` span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized ``[start, end)`` span to the original text (end exclusive)."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else self.original_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _fold_char(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    if ch.isspace():
        return " "
    if ch.isdigit() and not ch.isascii():
        try:
            return str(unicodedata.digit(ch))
        except (TypeError, ValueError):
            pass
    return unicodedata.normalize("NFKC", ch)


@lru_cache(maxsize=4096)
def normalize_text(text: str) -> NormText:
    """Normalize ``text`` (see module doc). Idempotent: normalizing the result again
    returns the same string."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    prev_space = True  # strips leading whitespace
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if not folded:
            continue
        for fch in folded:
            if fch.isspace():
                if prev_space:
                    continue
                fch = " "
                prev_space = True
            else:
                prev_space = False
            out.append(fch)
            starts.append(i)
            ends.append(i + 1)
    while out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return NormText("".join(out), tuple(starts), tuple(ends), len(text))
