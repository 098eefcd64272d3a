"""Characters as small numbers, so that n-grams of many strings become integers with numpy.

:class:`CharDigits` gives each character of an alphabet a digit ``1..A`` (0 for any other
character); an n-gram is then the number with its characters' digits in base ``A + 1``.
Used by the classifier's character n-grams (:mod:`pipeline.features`) to look up the n-grams
of new words with array operations.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class CharDigits:
    """The digit of each character of ``chars`` (in sorted order, from 1), 0 for others."""

    def __init__(self, chars: Iterable[str]) -> None:
        self.chars = sorted(set(chars))
        self.base = len(self.chars) + 1
        self._points = np.asarray([ord(c) for c in self.chars], dtype=np.int64)
        # by code point in the Basic Multilingual Plane; characters beyond it are searched
        self._bmp = np.zeros(0x10000, dtype=np.int64)
        small = self._points < 0x10000
        self._bmp[self._points[small]] = np.flatnonzero(small) + 1

    def digit(self) -> dict[str, int]:
        """Character → digit, for the alphabet's characters."""
        return dict(zip(self.chars, range(1, self.base), strict=True))

    def of(self, text: str) -> np.ndarray:
        """The digit of every character of ``text`` (lone surrogates included: digit 0)."""
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        digits = self._bmp[np.minimum(points, 0xFFFF)]
        astral = np.flatnonzero(points > 0xFFFF)
        if len(astral):
            at = np.minimum(np.searchsorted(self._points, points[astral]), max(len(self._points) - 1, 0))
            found = self._points[at] == points[astral] if len(self._points) else np.zeros(len(astral), dtype=bool)
            digits[astral] = np.where(found, at + 1, 0)
        return digits
