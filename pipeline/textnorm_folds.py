"""Passes 2–5 of :mod:`pipeline.textnorm`: bracketed at/dot and O in numbers, spaced letters,
confusables, leetspeak in keywords.

Speed: each pass first runs a cheap check (a regex that starts with a character class, which
``re`` scans fast, while the patterns themselves start with a lookbehind) and returns when it
has nothing to do; ``fast=False`` skips those checks. Together they save ~1 ms on a long ad.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.confusables import loose_table, script_of, strict_table
from pipeline.textnorm_chars import char_class
from pipeline.textnorm_offsets import Buf, Edit

#: Keywords recognised through leetspeak (lower case, ASCII).
LEET_KEYWORDS = frozenset({
    "telegram", "whatsapp", "line", "wechat", "zalo", "signal", "salary", "cambodia", "myanmar",
    "laos", "thailand", "visa", "passport", "casino", "crypto", "usdt",
    # local spellings and places seen in the seed set
    "tele", "kamboja", "kemboja", "campuchia", "poipet", "myawaddy", "sihanoukville", "loker",
})
_LEET = {"0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"}


# -- pass 2: bracketed at / dot, O in numbers --------------------------------------------

_AT_DOT = re.compile(
    r" ?(?:[\[({<【〔「] ?(?:(?P<at>at|@|a còng)|(?P<dot>dot|\.|chấm|titik|จุด|点|點)) ?[\])}>】〕」]"
    r"|\[(?P<a>a)\]) ?", re.IGNORECASE)
_O_NUMBER = re.compile(r"(?<![\w.,])(?=[\dOo.,]*\d)(?=[\dOo.,]*[Oo])[\dOo](?:[\dOo.,]*[\dOo])?(?![\w])")
#: Cheap checks. Every ``_AT_DOT`` match starts its bracket with one of these; every
#: ``_O_NUMBER`` match holds a digit with only "." or "," between it and an O/o. That check
#: starts at the digit (rarer than "o"); an O/o before it is looked for behind it, by fixed
#: widths: no, one, or (more than enough) two "." or "," between them.
_AT_DOT_PRE = re.compile(r"[\[({<【〔「](?: ?(?:at|@|a còng|dot|\.|chấm|titik|จุด|点|點) ?[\])}>】〕」]|a\])", re.I)
_O_PRE = re.compile(r"\d(?:[.,]*[Oo]|(?<=[Oo]\d)|(?<=[Oo][.,]\d)|(?<=[.,][.,]\d))")


def at_dot(buf: Buf, flags: set[str], fast: bool) -> None:
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
#: Each pattern with its cheap check: what a match must contain (the second, third and
#: fourth single letter with separator characters between them, and no letter after the
#: fourth; two Han characters with a space between; a Thai letter or mark, a separator, a
#: Thai letter).
_SPACED_CHECKED = (
    (_SPACED, re.compile(r"[ .\-_*|~+·•][^\W_][ .\-_*|~+·•]+[^\W_][ .\-_*|~+·•]+[^\W_](?![^\W_])")),
    (_SPACED_HAN, re.compile(f"{_HAN} {_HAN}")),
    (_SPACED_THAI, re.compile(r"[\u0e01-\u0e4e][ .][\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46]")),
)


def _in_address(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` sits in a URL, e-mail or handle (its space-delimited
    chunk holds ``/``, ``@`` or ``=``), which joining would corrupt."""
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    chunk = text[left:start] + "\0" + text[end:right if right >= 0 else len(text)]
    return any(c in chunk for c in "/@=")


def spaced(buf: Buf, flags: set[str], fast: bool) -> None:
    text = buf.text
    edits: list[Edit] = []
    for rx, check in _SPACED_CHECKED:
        if fast and not check.search(text):
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
    return re.compile(char_class(ord(c) for c in loose_table()))


def confusables(buf: Buf, flags: set[str], fast: bool) -> None:
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
    """The ``_LEET_TOKEN`` matches that may spell a keyword (all of them when not ``fast``):
    the token around each leet character next to a letter, matched from the start of its
    run of token characters."""
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


def _unleet(token: str) -> str | None:
    """The keyword ``token`` spells in leetspeak, else None."""
    low = token.lower()
    if sum(ch.isalpha() for ch in low) < 2 or low.isalpha() or low[0] == "@":
        return None
    for kw in LEET_KEYWORDS:
        if len(kw) == len(low) and all(c == k or k in _LEET.get(c, "") for c, k in zip(low, kw, strict=True)):
            return kw
    return None


def leet(buf: Buf, flags: set[str], fast: bool) -> None:
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
