"""Text normalization with an offset map back to the text as captured.

Every span the system reports points into the original text; analysis runs on the
normalized text. :func:`normalize_text` applies these passes, repeated until the text no
longer changes (so normalizing twice equals normalizing once), and keeps for every output
character the ``[start, end)`` span of the original it came from:

1. **Characters** (EVA-03, EVA-02): zero-width, bidi, variation-selector and keycap
   characters removed; local-script decimal digits (Thai, Lao, Khmer, Burmese, Sinhala,
   Devanagari, fullwidth…) to ASCII; NFKC per grapheme cluster (base + combining marks), which
   folds fullwidth, mathematical alphanumerics, ligatures and composes Vietnamese
   diacritics; whitespace runs collapsed to one space, ends stripped.
2. **Bracketed at/dot** (EVA-01): ``[at]`` ``(at)`` ``{@}`` ``【at】`` ``[a]`` ``(a còng)`` → ``@``;
   ``[dot]`` ``(.)`` ``[chấm]`` ``(titik)`` ``[จุด]`` ``【点】`` → ``.`` (only bracketed forms; a
   bare English "at" is left alone). Digit groups written with the letter O ("₱6O,OOO",
   "1.5OO") get zeros: a token of digits, ``O``/``o``, ``,`` and ``.`` with at least one digit.
3. **Spaced letters** (EVA-01): a run of ≥ 4 single letters or digits with at least 3
   letters, every pair separated by the *same* separator (spaces, or one of ``. - _ * | ~ + ·
   •`` with optional spaces around it), is joined: "T.e.l.e.g.r.a.m", "W h a t s A p p",
   "t e l e" → "Telegram", "WhatsApp", "tele", unless the run is part of a URL, e-mail or
   handle ("t.me/a-b-c-d", "a.b.c.d@mail.com"). Two or more single Han characters separated by
   spaces are joined too ("菠 菜" → "菠菜"), and three or more single Thai letters (with their
   vowel and tone marks) separated by the same space or dot ("ไ ล น์" → "ไลน์"). Ordinary
   words are never joined: every member of a run must be a one-character token.
4. **Confusables** (EVA-02, table in :mod:`pipeline.confusables`): in a token (run of
   letters/digits) that contains Latin letters, Cyrillic/Greek/Armenian/Cherokee look-alikes
   become Latin (strict and loose table). A token with *no* Latin letters is folded only if
   every letter is in the strict table *and* the text holds no genuine word of that script
   (a Latin-free token with a letter outside the table), so Russian or Greek text survives.
5. **Leetspeak in keywords** (EVA-01): a token of ASCII letters, digits, ``@`` and ``$`` with
   at least two letters that equals one of :data:`LEET_KEYWORDS` once ``0→o 1→l/i 3→e 4→a
   5→s 7→t 8→b 9→g @→a $→s`` is read ("te1egram", "wh4tsapp", "5alary") is rewritten to the
   keyword. Tokens that are part of a handle, e-mail, URL path or number are left alone.

:attr:`NormText.evasions` names the passes that changed something (a signal in itself).

Speed (one call per text and process: :func:`normalize_text` is cached, so the indicator,
extraction and feature steps share it): the text is kept as a string, and the offset map is
built only once a pass changes the length, from slices of one shared tuple of ints. Each pass
first runs a cheap check (a regex that starts with a character class, which ``re`` scans fast)
and returns when it has nothing to do; pass 1 only replaces line breaks when no other
character it touches is present, and finds the runs of two spaces by their literal prefix.
NFKC looks only at the clusters holding a character or mark pair that the quick check of
``unicodedata.is_normalized`` could fail on (none when the whole text passes); a round stops
as soon as a pass is given the same text as in the previous round, and the normalization stops
when passes 2–5 leave pass 1's output alone and no NFKC result of pass 1 holds a mark or
anything else pass 1 acts on (then pass 1 would leave it alone too). The character classes of pass 1 are
computed from :mod:`unicodedata` at first use (about 0.3 s). ``_normalize(text, fast=False)``
skips every shortcut; tests check both give the same result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.confusables import loose_table, script_of, strict_table

#: Characters removed outright (zero-width, joiners, BOM, soft hyphen, bidi controls,
#: invisible operators, Mongolian vowel separator, variation selectors, combining keycap).
_HIDDEN = frozenset(
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u200e\u200f\u061c\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: Also removed, but ordinary in emoji (variation selectors, combining keycap): not flagged.
_PRESENTATION = frozenset("\u20e3" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))
_INVISIBLE = _HIDDEN | _PRESENTATION

#: Keywords recognised through leetspeak (lower case, ASCII).
LEET_KEYWORDS = frozenset({
    "telegram", "whatsapp", "line", "wechat", "zalo", "signal", "salary", "cambodia", "myanmar",
    "laos", "thailand", "visa", "passport", "casino", "crypto", "usdt",
    # local spellings and places seen in the seed set
    "tele", "kamboja", "kemboja", "campuchia", "poipet", "myawaddy", "sihanoukville", "loker",
})
_LEET = {"0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"}


@dataclass(frozen=True)
class NormText:
    """Normalized ``text`` with, per character, the ``[start, end)`` span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    original_length: int
    #: Passes that changed the text: ``invisible`` (zero-width/bidi), ``digits``, ``nfkc``,
    #: ``at_dot``, ``letter_digits``, ``spaced``, ``confusable``, ``leet``.
    evasions: frozenset[str] = field(default=frozenset())

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized ``[start, end)`` span to the original text (end exclusive)."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else self.original_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]


_IDS: tuple[int, ...] = tuple(range(4097))


def _identity(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The offset map of an unchanged ``n``-character text (starts ``0…n-1``, ends ``1…n``):
    slices of one shared tuple, without creating an int object per character."""
    global _IDS
    if len(_IDS) <= n:
        _IDS = tuple(range(2 * n + 1))
    return _IDS[:n], _IDS[1:n + 1]


class _Buf:
    """The text being normalized and its offset map (``None`` while it is the identity)."""

    __slots__ = ("ends", "settled", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None
        self.ends: list[int] | None = None
        #: Set by pass 1: its output is one it would leave unchanged (see :func:`_chars`).
        self.settled = False

    def maps(self) -> tuple[list[int], list[int]]:
        if self.starts is None or self.ends is None:
            starts, ends = _identity(len(self.text))
            self.starts, self.ends = list(starts), list(ends)
        return self.starts, self.ends

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
            starts, ends = _identity(len(self.text))
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


Edit = tuple[int, int, str, list[int], list[int]]  # (start, end, new characters, their starts, ends)


def _char_class(chars: Iterable[int]) -> str:
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


class _CharSet:
    """Finds any of a set of characters. ``re`` tests a class with astral code points range
    by range, a BMP-only class with one bitmap lookup: the two halves are searched apart."""

    def __init__(self, chars: Iterable[int]) -> None:
        cps = set(chars)
        self.bmp = re.compile(_char_class(c for c in cps if c <= 0xFFFF))
        self.astral = re.compile(_char_class(c for c in cps if c > 0xFFFF))

    def search(self, text: str) -> bool:
        return bool(self.bmp.search(text) or (_has_astral(text) and self.astral.search(text)))


def _has_astral(text: str) -> bool:
    """Whether ``text`` holds a code point above U+FFFF (two UTF-16 units; faster than a
    regex scan)."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


@dataclass(frozen=True)
class _Tables:
    """Character classes of the first pass, computed once from :mod:`unicodedata`."""

    touch: _CharSet  # invisible, local digits, whitespace other than " "
    rare: _CharSet  # the same without "\n"
    invisible: re.Pattern[str]
    digits: _CharSet
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
def _tables() -> _Tables:
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
    mark = _char_class(marks)
    return _Tables(
        touch=_CharSet([*invisible, *digit_of, *spaces]),
        rare=_CharSet([*invisible, *digit_of, *(c for c in spaces if c != 0x0A)]),
        invisible=re.compile(_char_class(invisible)),
        digits=_CharSet(digit_of),
        spaces=re.compile(_char_class(spaces)),
        digit_of=digit_of,
        space_of=dict.fromkeys(spaces, " "),
        any_cluster=re.compile(f"(?s).{mark}*"),
        mark=re.compile(mark),
        suspect=_suspect_pattern({*changed, *composing}, marks),
        unsettled=re.compile(_char_class([*marks, *changed, *invisible, *digit_of, *spaces])),
    )


def _suspect_pattern(unstable: set[int], marks: list[int]) -> re.Pattern[str]:
    """Characters of ``unstable``, and combining marks followed by a mark (``pair`` group).
    Every astral character counts as unstable and as a mark (more runs checked, same result):
    then each class is a BMP bitmap and one range, which ``re`` tests fast."""
    astral = "\U00010000-\U0010ffff"
    unstable_class = _char_class(c for c in unstable if c <= 0xFFFF)[1:-1] + astral
    mark_class = _char_class(c for c in marks if c <= 0xFFFF)[1:-1]
    return re.compile(
        f"[{unstable_class}{mark_class}](?:(?<=[{unstable_class}])|(?P<pair>(?=[{mark_class}{astral}])))")


def _unstable_clusters(text: str, tab: _Tables) -> list[tuple[int, int]]:
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


# -- pass 1: characters ------------------------------------------------------------------

def _chars(buf: _Buf, flags: set[str], fast: bool) -> None:
    tab = _tables()
    if fast and buf.text.isascii():
        if _ASCII_SPACE.search(buf.text):
            buf.text = _ASCII_SPACE.sub(" ", buf.text)
    elif fast and not tab.rare.search(buf.text):
        # Line breaks are the only characters to touch (the common case): the branch
        # below would remove and translate nothing and turn them into spaces.
        buf.text = buf.text.replace("\n", " ")
    elif not fast or tab.touch.search(buf.text):
        removed = [m.start() for m in tab.invisible.finditer(buf.text)]
        if removed:
            if any(buf.text[k] in _HIDDEN for k in removed):
                flags.add("invisible")
            buf.splice([(k, k + 1, "", [], []) for k in removed])
        if tab.digits.search(buf.text):
            flags.add("digits")
            buf.text = buf.text.translate(tab.digit_of)
        buf.text = tab.spaces.sub(" ", buf.text)
    # NFKC per cluster: a base character and the combining marks after it.
    edits: list[Edit] = []
    settled = True
    text = buf.text
    for a, b in (_unstable_clusters(text, tab) if fast else [m.span() for m in tab.any_cluster.finditer(text)]):
        raw = text[a:b]
        norm = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
        if norm != raw:
            flags.add("nfkc")
            norm = norm.translate(tab.space_of)
            edits.append(buf.merged(a, b, norm))
            if settled and not norm.isascii() and tab.unsettled.search(norm):
                settled = False
    buf.splice(edits)
    # The pass is done with its output (buf.settled) unless an NFKC result holds something
    # it acts on: steps before NFKC leave nothing to do; outside those results, clusters are
    # as NFKC left them (a result of characters without marks, each one stable, takes no
    # mark from a neighbour); the space collapse below only removes spaces (a mark after a
    # removed space follows another space, or starts the text: stable either way).
    buf.settled = settled
    # Whitespace runs to one space, ends stripped.
    text = buf.text
    if not fast:
        buf.splice([(m.start(), m.end(), "", [], []) if m.start() == 0 or m.end() == len(text)
                    else (m.start() + 1, m.end(), "", [], []) for m in _SPACES.finditer(text)])
    elif "  " in text or text[:1] == " " or text[-1:] == " ":
        # The same edits: ``_SPACES`` has no literal prefix, so ``re`` tries it at every
        # character; runs of two spaces between the stripped ends are found by their prefix.
        n, lead, body = len(text), len(text) - len(text.lstrip(" ")), len(text.rstrip(" "))
        gaps: list[Edit] = [(0, lead, "", [], [])] if lead else []
        if body > lead:
            gaps += [(m.start() + 1, m.end(), "", [], []) for m in _SPACE_RUN.finditer(text, lead, body)]
            if body < n:
                gaps.append((body, n, "", [], []))
        buf.splice(gaps)


_ASCII_SPACE = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f]")
#: Leading and trailing spaces, and every space after the first of a run.
_SPACES = re.compile(r"\A +| +\Z| {2,}")
_SPACE_RUN = re.compile("  +")


# -- pass 2: bracketed at / dot ----------------------------------------------------------

_AT_DOT = re.compile(
    r" ?(?:[\[({<【〔「] ?(?:(?P<at>at|@|a còng)|(?P<dot>dot|\.|chấm|titik|จุด|点|點)) ?[\])}>】〕」]"
    r"|\[(?P<a>a)\]) ?", re.IGNORECASE)
_O_NUMBER = re.compile(r"(?<![\w.,])(?=[\dOo.,]*\d)(?=[\dOo.,]*[Oo])[\dOo](?:[\dOo.,]*[\dOo])?(?![\w])")
#: Shortcuts. Every ``_AT_DOT`` match starts its bracket with one of these; every
#: ``_O_NUMBER`` match holds a digit with only "." or "," between it and an O/o. That check
#: starts at the digit (rarer than "o"); an O/o before it is looked for behind it, by fixed
#: widths: no, one, or (more than enough) two "." or "," between them.
_AT_DOT_PRE = re.compile(r"[\[({<【〔「](?: ?(?:at|@|a còng|dot|\.|chấm|titik|จุด|点|點) ?[\])}>】〕」]|a\])", re.I)
_O_PRE = re.compile(r"\d(?:[.,]*[Oo]|(?<=[Oo]\d)|(?<=[Oo][.,]\d)|(?<=[.,][.,]\d))")


def _at_dot(buf: _Buf, flags: set[str], fast: bool) -> None:
    edits = [] if fast and not _AT_DOT_PRE.search(buf.text) else [
        buf.merged(m.start(), m.end(), "." if m.group("dot") else "@") for m in _AT_DOT.finditer(buf.text)]
    if edits:
        flags.add("at_dot")
        buf.splice(edits)
    if fast and not _O_PRE.search(buf.text):
        return
    subs = {}
    for m in _O_NUMBER.finditer(buf.text):
        for k in range(m.start(), m.end()):
            if buf.text[k] in "Oo":
                subs[k] = "0"
    if subs:
        flags.add("letter_digits")
        buf.substitute(subs)


# -- pass 3: spaced letters --------------------------------------------------------------

_SEP = r"(?: +| ?[.\-_*|~+·•] ?)"
_SPACED = re.compile(rf"(?<![^\W_])[^\W_](?P<sep>{_SEP})[^\W_](?:(?P=sep)[^\W_]){{2,}}(?![^\W_])")
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACED_HAN = re.compile(rf"(?<![^\W_]){_HAN}(?: {_HAN})+(?![^\W_])")
_THAI = r"[\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*"
_THAI_MARK = frozenset("\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B))) + "".join(map(chr, range(0x0E47, 0x0E4F))))
_SPACED_THAI = re.compile(
    rf"(?<![\u0e01-\u0e4e]){_THAI}(?P<sep> |\.)(?:{_THAI}(?P=sep))+{_THAI}(?![\u0e01-\u0e4e])")
#: Shortcuts: what a match of each must contain (the second, third and fourth single letter
#: with separator characters between them, and no letter after the fourth; two Han
#: characters with a space between; a Thai letter or mark, a separator, a Thai letter). These
#: start with a character class, which ``re`` scans for quickly; the patterns themselves start
#: with a lookbehind.
_SPACED_PRE = {
    "": re.compile(r"[ .\-_*|~+·•][^\W_][ .\-_*|~+·•]+[^\W_][ .\-_*|~+·•]+[^\W_](?![^\W_])"),
    "han": re.compile(f"{_HAN} {_HAN}"),
    "thai": re.compile(r"[\u0e01-\u0e4e][ .][\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46]"),
}
#: When that Thai check passes (common in Thai text: "น ๆ ข"), a second one, from the first
#: separator: after a Thai letter or mark, but not after a letter that follows a Thai
#: character (the first single letter, bare, stands alone), then a single letter and the same
#: separator again, and a letter.
_SPACED_THAI_PRE = re.compile(
    r"(?P<sep>[ .])(?<=[\u0e01-\u0e4e][ .])(?<![\u0e01-\u0e4e][\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46][ .])"
    rf"{_THAI}(?P=sep)[\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46]")


def _in_address(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` sits in a URL, e-mail or handle (its space-delimited
    chunk holds ``/``, ``@`` or ``=``), which joining would corrupt."""
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    chunk = text[left:start] + "\0" + text[end:right if right >= 0 else len(text)]
    return any(c in chunk for c in "/@=")


def _spaced(buf: _Buf, flags: set[str], fast: bool) -> None:
    text = buf.text
    edits: list[Edit] = []
    for rx, pre in ((_SPACED, ""), (_SPACED_HAN, "han"), (_SPACED_THAI, "thai")):
        if fast and (not _SPACED_PRE[pre].search(text) or pre == "thai" and not _SPACED_THAI_PRE.search(text)):
            continue
        for m in rx.finditer(text):
            keep = [k for k in range(m.start(), m.end()) if text[k].isalnum() or text[k] in _THAI_MARK]
            if rx is _SPACED and sum(text[k].isalpha() for k in keep) < 3:
                continue
            if _in_address(text, m.start(), m.end()):
                continue
            if any(m.start() < j and i < m.end() for i, j, *_ in edits):
                continue
            edits.append(buf.kept(m.start(), m.end(), keep))
    if edits:
        flags.add("spaced")
        buf.splice(sorted(edits, key=lambda ed: ed[0]))


# -- pass 4: confusables -----------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _look_alikes() -> re.Pattern[str]:
    """Any character of the loose table (which holds the strict one)."""
    return re.compile(_char_class(ord(c) for c in loose_table()))


def _confusables(buf: _Buf, flags: set[str], fast: bool) -> None:
    text = buf.text
    if fast and not _look_alikes().search(text):
        return
    strict, loose = strict_table(), loose_table()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    genuine: set[str] = set()  # scripts with a real (non-look-alike, Latin-free) word
    for _, _, tok in tokens:
        scripts = {script_of(ch) for ch in tok}
        if "LATIN" not in scripts:
            genuine.update(script_of(ch) for ch in tok if ch.isalpha() and ch not in strict)
    subs = {}
    for start, end, tok in tokens:
        letters = [ch for ch in tok if ch.isalpha()]
        if not letters or not any(ch in loose for ch in letters):
            continue
        if any(script_of(ch) == "LATIN" and ch not in loose for ch in letters):
            table = loose
        elif all(ch in strict for ch in letters) and not {script_of(ch) for ch in letters} & genuine:
            table = strict
        else:
            continue
        for k in range(start, end):
            if text[k] in table:
                subs[k] = table[text[k]]
    if subs:
        flags.add("confusable")
        buf.substitute(subs)


# -- pass 5: leetspeak in keywords -------------------------------------------------------

_LEET_TOKEN = re.compile(r"(?<![\w@$./:#-])[A-Za-z0-9@$]+(?![\w@$/]|[.:][A-Za-z0-9])")


#: A leet character next to a letter: every token that spells a keyword has one.
_LEET_NEXT_TO_LETTER = re.compile(r"[013-57-9@$](?:(?<=[A-Za-z][013-57-9@$])|(?=[A-Za-z]))")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@$")


def _leet_tokens(text: str, fast: bool) -> list[re.Match[str]]:
    """The ``_LEET_TOKEN`` matches that may spell a keyword (all of them when not ``fast``).
    A token is a maximal run of token characters, so the run around each leet character
    next to a letter is matched at its start."""
    if not fast:
        return list(_LEET_TOKEN.finditer(text))
    out: list[re.Match[str]] = []
    for hit in _LEET_NEXT_TO_LETTER.finditer(text):
        start = hit.start()
        if out and start < out[-1].end():
            continue
        while start and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        m = _LEET_TOKEN.match(text, start)
        if m is not None and (not out or m.start() >= out[-1].end()):
            out.append(m)
    return out


@lru_cache(maxsize=4096)
def _unleet(token: str) -> str | None:
    """The keyword ``token`` spells in leetspeak, else None."""
    low = token.lower()
    if sum(ch.isalpha() for ch in low) < 2 or low.isalpha() or low[0] == "@":
        return None
    for kw in LEET_KEYWORDS:
        if len(kw) == len(low) and all(c == k or k in _LEET.get(c, "") for c, k in zip(low, kw, strict=True)):
            return kw
    return None


def _leet(buf: _Buf, flags: set[str], fast: bool) -> None:
    subs = {}
    for m in _leet_tokens(buf.text, fast):
        kw = _unleet(m.group())
        if kw is None:
            continue
        upper = all(ch.isupper() for ch in m.group() if ch.isalpha())
        for k, (orig, want) in enumerate(zip(m.group(), kw, strict=True)):
            if not orig.isalpha():
                subs[m.start() + k] = want.upper() if upper else want
        flags.add("leet")
    if subs:
        buf.substitute(subs)


_PASSES: tuple[Callable[[_Buf, set[str], bool], None], ...] = (_chars, _at_dot, _spaced, _confusables, _leet)


@lru_cache(maxsize=4096)
def normalize_text(text: str) -> NormText:
    """Normalize ``text`` (see module doc). Idempotent: normalizing the result again
    returns the same string. Every output character maps to a non-empty original span;
    spans are monotonic. Cached: the stages that need a text's normal form share one."""
    return _normalize(text)


def _normalize(text: str, fast: bool = True) -> NormText:
    """:func:`normalize_text` without the cache. ``fast=False`` skips every shortcut (the
    cheap checks that let a pass or a round be skipped): same result, for tests."""
    buf = _Buf(text)
    flags: set[str] = set()
    seen: list[str | None] = [None] * len(_PASSES)  # what each pass was given last round
    for _ in range(6):  # to a fixed point; real text settles in two rounds
        before = buf.text
        for k, step in enumerate(_PASSES):
            if fast and buf.text == seen[k]:
                # Same input as last round: the rest of the round would repeat it and end
                # where this round began.
                break
            seen[k] = buf.text
            step(buf, flags, fast)
        if buf.text == before or fast and buf.settled and buf.text == seen[1]:
            # Unchanged; or passes 2-5 left pass 1's output (seen[1]) as it was, and pass 1
            # would too: the next round would change nothing.
            break
    if buf.starts is None or buf.ends is None:
        starts, ends = _identity(len(buf.text))
    else:
        starts, ends = tuple(buf.starts), tuple(buf.ends)
    return NormText(buf.text, starts, ends, len(text), frozenset(flags))
