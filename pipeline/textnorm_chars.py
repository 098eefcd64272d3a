"""Pass 1 of :mod:`pipeline.textnorm`: characters.

Invisible characters removed, local-script digits to ASCII, whitespace other than " " to
" ", NFKC per cluster (a character and the combining marks after it), whitespace runs to one
space and ends stripped. The character classes are computed from :mod:`unicodedata` at first
use (about 0.3 s).

Speed: ``re`` tests a character class holding astral code points range by range, so each set
is searched as two classes (BMP, astral; :class:`CharSet`). NFKC is applied only to the
clusters a quick check finds may change (:func:`unstable_clusters`; none when the whole text
passes ``unicodedata.is_normalized``), unless ``fast`` is False.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pipeline.textnorm_offsets import Buf, Edit

#: Characters removed outright (zero-width, joiners, BOM, soft hyphen, bidi controls,
#: invisible operators, Mongolian vowel separator): flagged as ``invisible``.
HIDDEN = frozenset(
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u200e\u200f\u061c\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: Also removed, but ordinary in emoji (variation selectors, combining keycap): not flagged.
_PRESENTATION = frozenset("\u20e3" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))
_INVISIBLE = HIDDEN | _PRESENTATION


def char_class(chars: Iterable[int]) -> str:
    """A regex character class of the code points ``chars`` (ranges)."""
    cps = sorted(set(chars))
    parts = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]" if parts else r"[^\s\S]"


class CharSet:
    """Finds any of a set of characters: the BMP and astral halves are searched apart (a
    BMP-only class is one bitmap lookup per character)."""

    def __init__(self, chars: Iterable[int]) -> None:
        cps = set(chars)
        self.bmp = re.compile(char_class(c for c in cps if c <= 0xFFFF))
        self.astral = re.compile(char_class(c for c in cps if c > 0xFFFF))

    def search(self, text: str) -> bool:
        return bool(self.bmp.search(text) or (_has_astral(text) and self.astral.search(text)))


def _has_astral(text: str) -> bool:
    """Whether ``text`` holds a code point above U+FFFF (faster than a regex scan)."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


@dataclass(frozen=True)
class Tables:
    """Character classes of pass 1, computed once from :mod:`unicodedata`."""

    rare: CharSet  # invisible, local digits, whitespace other than " " and "\n"
    invisible: re.Pattern[str]
    digits: CharSet
    spaces: re.Pattern[str]
    digit_of: dict[int, str]
    space_of: dict[int, str]
    #: A cluster: a character and the combining marks after it.
    any_cluster: re.Pattern[str]
    mark: re.Pattern[str]
    #: What a string needs for ``unicodedata.is_normalized("NFKC", …)`` to be False: a
    #: character NFKC changes on its own or that may compose with the one before it (quick
    #: check No or Maybe), or a combining mark followed by another (maybe out of order).
    suspect: re.Pattern[str]
    #: What pass 1 may act on again in its own NFKC output: marks, characters NFKC changes on
    #: their own, invisible characters, local digits, whitespace other than " ".
    unsettled: re.Pattern[str]


@lru_cache(maxsize=1)
def tables() -> Tables:
    marks, changed, digit_of, spaces = [], [], {}, []
    # Second characters of two-character canonical decompositions, and Hangul vowel and
    # trailing jamo: every character that may compose with the one before it.
    composing = [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]
    for cp in range(0x110000):
        ch = chr(cp)
        decomposition = unicodedata.decomposition(ch).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            composing.append(int(decomposition[1], 16))
        if unicodedata.combining(ch):
            marks.append(cp)
        if ch.isspace() and ch != " ":
            spaces.append(cp)
        if cp < 0x80:
            continue
        if ch.isdigit() and ch not in _INVISIBLE:
            try:
                digit_of[cp] = str(unicodedata.digit(ch))
            except (TypeError, ValueError):
                pass
        if unicodedata.normalize("NFKC", ch) != ch:
            changed.append(cp)
    invisible = [ord(c) for c in _INVISIBLE]
    mark = char_class(marks)
    return Tables(
        rare=CharSet([*invisible, *digit_of, *(c for c in spaces if c != 0x0A)]),
        invisible=re.compile(char_class(invisible)),
        digits=CharSet(digit_of),
        spaces=re.compile(char_class(spaces)),
        digit_of=digit_of,
        space_of=dict.fromkeys(spaces, " "),
        any_cluster=re.compile(f"(?s).{mark}*"),
        mark=re.compile(mark),
        suspect=_suspect_pattern({*changed, *composing}, marks),
        unsettled=re.compile(char_class([*marks, *changed, *invisible, *digit_of, *spaces])),
    )


def _suspect_pattern(unstable: set[int], marks: list[int]) -> re.Pattern[str]:
    """Characters of ``unstable``, and combining marks followed by a mark (``pair`` group).
    Every astral character counts as unstable and as a mark (more runs checked, same result):
    then each class is a BMP bitmap and one range, which ``re`` tests fast."""
    astral = "\U00010000-\U0010ffff"
    unstable_class = char_class(c for c in unstable if c <= 0xFFFF)[1:-1] + astral
    mark_class = char_class(c for c in marks if c <= 0xFFFF)[1:-1]
    return re.compile(
        f"[{unstable_class}{mark_class}](?:(?<=[{unstable_class}])|(?P<pair>(?=[{mark_class}{astral}])))")


def unstable_clusters(text: str, tab: Tables) -> list[tuple[int, int]]:
    """The spans of the clusters (a base character and the combining marks after it) that
    NFKC may change: those holding a ``tab.suspect`` character or mark pair out of order. Any
    other cluster passes ``is_normalized``'s quick check (every character "Yes", combining
    classes in order), so NFKC leaves it alone."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return []
    out: list[tuple[int, int]] = []
    end = 0
    for m in tab.suspect.finditer(text):
        k = m.start()
        if k < end or (m.group("pair") is not None
                       and not 0 < unicodedata.combining(text[k + 1]) < unicodedata.combining(text[k])):
            continue
        while k and tab.mark.match(text, k):  # back to the base (or the first character)
            k -= 1
        end = tab.any_cluster.match(text, k).end()
        out.append((k, end))
    return out


def chars(buf: Buf, flags: set[str], fast: bool) -> None:
    """Pass 1. Sets ``buf.settled`` when no NFKC result holds a character this pass acts on
    (then running it again would change nothing). ``fast=False``: NFKC on every cluster."""
    tab = tables()
    if tab.rare.search(buf.text):
        removed = [m.start() for m in tab.invisible.finditer(buf.text)]
        if removed:
            if any(buf.text[k] in HIDDEN for k in removed):
                flags.add("invisible")
            buf.splice([(k, k + 1, "", [], []) for k in removed])
        if tab.digits.search(buf.text):
            flags.add("digits")
            buf.text = buf.text.translate(tab.digit_of)
        buf.text = tab.spaces.sub(" ", buf.text)
    else:  # nothing to remove or translate; line breaks become spaces
        buf.text = buf.text.replace("\n", " ")
    edits: list[Edit] = []
    settled = True
    text = buf.text
    for a, b in (unstable_clusters(text, tab) if fast else [m.span() for m in tab.any_cluster.finditer(text)]):
        raw = text[a:b]
        norm = unicodedata.normalize("NFKC", raw)
        if norm != raw:
            flags.add("nfkc")
            norm = norm.translate(tab.space_of)
            edits.append(buf.merged(a, b, norm))
            if settled and not norm.isascii() and tab.unsettled.search(norm):
                settled = False
    buf.splice(edits)
    buf.settled = settled
    buf.splice(_space_gaps(buf.text))


_SPACE_RUN = re.compile("  +")


def _space_gaps(text: str) -> list[Edit]:
    """Edits that strip leading and trailing spaces and leave one space of every run."""
    n, lead, body = len(text), len(text) - len(text.lstrip(" ")), len(text.rstrip(" "))
    gaps: list[Edit] = [(0, lead, "", [], [])] if lead else []
    if body > lead:
        gaps += [(m.start() + 1, m.end(), "", [], []) for m in _SPACE_RUN.finditer(text, lead, body)]
        if body < n:
            gaps.append((body, n, "", [], []))
    return gaps
