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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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

Item = tuple[str, int, int]  # (character, original start, original end)


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


def _text(items: list[Item]) -> str:
    return "".join(ch for ch, _, _ in items)


def _merged(chars: str, group: list[Item]) -> list[Item]:
    """``chars`` all mapped to the span covering ``group``."""
    start, end = min(s for _, s, _ in group), max(e for _, _, e in group)
    return [(ch, start, end) for ch in chars]


def _splice(items: list[Item], edits: Iterable[tuple[int, int, list[Item]]]) -> list[Item]:
    """Replace ``items[i:j]`` by the given items for each non-overlapping, sorted edit."""
    out: list[Item] = []
    pos = 0
    for i, j, new in edits:
        out.extend(items[pos:i])
        out.extend(new)
        pos = j
    out.extend(items[pos:])
    return out


# -- pass 1: characters ------------------------------------------------------------------

def _chars(items: list[Item], flags: set[str]) -> list[Item]:
    kept: list[Item] = []
    for ch, s, e in items:
        if ch in _INVISIBLE:
            if ch in _HIDDEN:
                flags.add("invisible")
            continue
        if ch.isdigit() and not ch.isascii():
            try:
                kept.append((str(unicodedata.digit(ch)), s, e))
                flags.add("digits")
                continue
            except (TypeError, ValueError):
                pass
        kept.append((" " if ch.isspace() else ch, s, e))
    # NFKC per cluster: a base character and the combining marks after it.
    clustered: list[Item] = []
    i = 0
    while i < len(kept):
        j = i + 1
        while j < len(kept) and unicodedata.combining(kept[j][0]):
            j += 1
        group = kept[i:j]
        raw = _text(group)
        norm = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
        if norm == raw:
            clustered.extend(group)
        else:
            flags.add("nfkc")
            clustered.extend(_merged(norm, group))
        i = j
    out: list[Item] = []
    for ch, s, e in clustered:
        if ch.isspace():
            if not out or out[-1][0] == " ":
                continue
            ch = " "
        out.append((ch, s, e))
    while out and out[-1][0] == " ":
        out.pop()
    return out


# -- pass 2: bracketed at / dot ----------------------------------------------------------

_AT_DOT = re.compile(
    r" ?(?:[\[({<【〔「] ?(?:(?P<at>at|@|a còng)|(?P<dot>dot|\.|chấm|titik|จุด|点|點)) ?[\])}>】〕」]"
    r"|\[(?P<a>a)\]) ?", re.IGNORECASE)


def _at_dot(items: list[Item], flags: set[str]) -> list[Item]:
    edits = []
    for m in _AT_DOT.finditer(_text(items)):
        symbol = "." if m.group("dot") else "@"
        edits.append((m.start(), m.end(), _merged(symbol, items[m.start():m.end()])))
    if edits:
        flags.add("at_dot")
    items = _splice(items, edits)
    out = list(items)
    for m in _O_NUMBER.finditer(_text(items)):
        for k in range(m.start(), m.end()):
            ch, s, e = out[k]
            if ch in "Oo":
                out[k] = ("0", s, e)
                flags.add("letter_digits")
    return out


_O_NUMBER = re.compile(r"(?<![\w.,])(?=[\dOo.,]*\d)(?=[\d.,]*[Oo])[\dOo](?:[\dOo.,]*[\dOo])?(?![\w])")


# -- pass 3: spaced letters --------------------------------------------------------------

_SEP = r"(?: +| ?[.\-_*|~+·•] ?)"
_SPACED = re.compile(rf"(?<![^\W_])[^\W_](?P<sep>{_SEP})[^\W_](?:(?P=sep)[^\W_]){{2,}}(?![^\W_])")
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACED_HAN = re.compile(rf"(?<![^\W_]){_HAN}(?: {_HAN})+(?![^\W_])")
_THAI = r"[\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*"
_THAI_MARK = frozenset("\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B))) + "".join(map(chr, range(0x0E47, 0x0E4F))))
_SPACED_THAI = re.compile(
    rf"(?<![\u0e01-\u0e4e]){_THAI}(?P<sep> |\.)(?:{_THAI}(?P=sep))+{_THAI}(?![\u0e01-\u0e4e])")


def _in_address(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` sits in a URL, e-mail or handle (its space-delimited
    chunk holds ``/``, ``@`` or ``=``), which joining would corrupt."""
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    chunk = text[left:start] + "\0" + text[end:right if right >= 0 else len(text)]
    return any(c in chunk for c in "/@=")


def _spaced(items: list[Item], flags: set[str]) -> list[Item]:
    text = _text(items)
    edits = []
    for rx in (_SPACED, _SPACED_HAN, _SPACED_THAI):
        for m in rx.finditer(text):
            kept = [it for it in items[m.start():m.end()] if it[0].isalnum() or it[0] in _THAI_MARK]
            if rx is _SPACED and sum(ch.isalpha() for ch, _, _ in kept) < 3:
                continue
            if _in_address(text, m.start(), m.end()):
                continue
            if any(m.start() < j and i < m.end() for i, j, _ in edits):
                continue
            edits.append((m.start(), m.end(), kept))
    if edits:
        flags.add("spaced")
    return _splice(items, sorted(edits, key=lambda ed: ed[0]))


# -- pass 4: confusables -----------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


def _confusables(items: list[Item], flags: set[str]) -> list[Item]:
    text = _text(items)
    strict, loose = strict_table(), loose_table()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    genuine: set[str] = set()  # scripts with a real (non-look-alike, Latin-free) word
    for _, _, tok in tokens:
        scripts = {script_of(ch) for ch in tok}
        if "LATIN" not in scripts:
            genuine.update(script_of(ch) for ch in tok if ch.isalpha() and ch not in strict)
    out = list(items)
    changed = False
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
            ch, s, e = out[k]
            if ch in table:
                out[k] = (table[ch], s, e)
                changed = True
    if changed:
        flags.add("confusable")
    return out


# -- pass 5: leetspeak in keywords -------------------------------------------------------

_LEET_TOKEN = re.compile(r"(?<![\w@$./:#-])[A-Za-z0-9@$]+(?![\w@$/]|[.:][A-Za-z0-9])")


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


def _leet(items: list[Item], flags: set[str]) -> list[Item]:
    out = list(items)
    for m in _LEET_TOKEN.finditer(_text(items)):
        kw = _unleet(m.group())
        if kw is None:
            continue
        upper = all(ch.isupper() for ch in m.group() if ch.isalpha())
        for k, (orig, want) in enumerate(zip(m.group(), kw, strict=True)):
            if not orig.isalpha():
                _, s, e = out[m.start() + k]
                out[m.start() + k] = (want.upper() if upper else want, s, e)
        flags.add("leet")
    return out


_PASSES = (_chars, _at_dot, _spaced, _confusables, _leet)


@lru_cache(maxsize=4096)
def normalize_text(text: str) -> NormText:
    """Normalize ``text`` (see module doc). Idempotent: normalizing the result again
    returns the same string. Every output character maps to a non-empty original span;
    spans are monotonic."""
    items: list[Item] = [(ch, i, i + 1) for i, ch in enumerate(text)]
    flags: set[str] = set()
    for _ in range(6):  # to a fixed point; real text settles in two rounds
        before = _text(items)
        for step in _PASSES:
            items = step(items, flags)
        if _text(items) == before:
            break
    return NormText(_text(items), tuple(s for _, s, _ in items), tuple(e for _, _, e in items),
                    len(text), frozenset(flags))
