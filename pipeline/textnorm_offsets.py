"""The text being normalized and its offset map back to the text as captured.

A :class:`Buf` holds the current text and, per character, the ``[start, end)`` span of the
original it came from. The map stays ``None`` while it is the identity (most passes leave
the length alone) and is built on the first edit that changes the length, from slices of
one shared tuple of ints (creating an int object per character costs ~50 µs on a long ad).
"""

from __future__ import annotations

#: An edit: (start, end, new characters, their original starts, their original ends).
Edit = tuple[int, int, str, list[int], list[int]]

_IDS: tuple[int, ...] = tuple(range(4097))


def identity(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The offset map of an unchanged ``n``-character text: starts ``0…n-1``, ends ``1…n``."""
    global _IDS
    if len(_IDS) <= n:
        _IDS = tuple(range(2 * n + 1))
    return _IDS[:n], _IDS[1:n + 1]


class Buf:
    """The text being normalized and its offset map (``None`` while it is the identity)."""

    __slots__ = ("ends", "settled", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None
        self.ends: list[int] | None = None
        #: Set by pass 1 (:func:`pipeline.textnorm_chars.chars`): running it again on its
        #: output would change nothing.
        self.settled = False

    def maps(self) -> tuple[list[int], list[int]]:
        if self.starts is None or self.ends is None:
            starts, ends = identity(len(self.text))
            self.starts, self.ends = list(starts), list(ends)
        return self.starts, self.ends

    def final_maps(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self.starts is None or self.ends is None:
            return identity(len(self.text))
        return tuple(self.starts), tuple(self.ends)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """The original span covering characters ``[i, j)`` (non-empty)."""
        if self.starts is None or self.ends is None:
            return i, j
        return min(self.starts[i:j]), max(self.ends[i:j])

    def merged(self, i: int, j: int, chars: str) -> Edit:
        """Replace ``[i, j)`` by ``chars``, each mapped to the span ``[i, j)`` came from."""
        s, e = self.span(i, j)
        return i, j, chars, [s] * len(chars), [e] * len(chars)

    def kept(self, i: int, j: int, keep: list[int]) -> Edit:
        """Replace ``[i, j)`` by the characters at positions ``keep``, with their own spans."""
        starts, ends = self.maps()
        return (i, j, "".join(self.text[k] for k in keep), [starts[k] for k in keep], [ends[k] for k in keep])

    def splice(self, edits: list[Edit]) -> None:
        """Apply sorted, non-overlapping edits."""
        if not edits:
            return
        starts: list[int] | tuple[int, ...]
        ends: list[int] | tuple[int, ...]
        if self.starts is None or self.ends is None:  # the identity: read from the shared tuple
            starts, ends = identity(len(self.text))
        else:
            starts, ends = self.starts, self.ends
        text: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        for i, j, chars, s, e in edits:
            text += (self.text[pos:i], chars)
            new_starts += starts[pos:i]
            new_starts += s
            new_ends += ends[pos:i]
            new_ends += e
            pos = j
        text.append(self.text[pos:])
        new_starts += starts[pos:]
        new_ends += ends[pos:]
        self.text, self.starts, self.ends = "".join(text), new_starts, new_ends

    def substitute(self, subs: dict[int, str]) -> None:
        """Replace single characters (position → one character); the map is unchanged."""
        chars = list(self.text)
        for k, ch in subs.items():
            chars[k] = ch
        self.text = "".join(chars)
