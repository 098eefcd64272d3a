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

Code: pass 1 is :mod:`pipeline.textnorm_chars`, passes 2–5 :mod:`pipeline.textnorm_folds`,
the text and its offset map :mod:`pipeline.textnorm_offsets`. Speed (~0.25 ms for a 2,000-
character ad, ~15 µs for an SMS): the offset map is built only once a pass changes the
length; pass 1 applies NFKC only to clusters that may change; passes 2–5 skip themselves
after a cheap regex check; normalization stops after a round in which pass 1 reports its
output settled and passes 2–5 left it alone. Each of these saves 10 µs to 0.8 ms on a long
ad (measured for issue 12). ``_normalize(text, fast=False)`` skips the cheap checks,
the NFKC cluster selection and the early stop; tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.textnorm_chars import chars
from pipeline.textnorm_folds import LEET_KEYWORDS, at_dot, confusables, leet, spaced
from pipeline.textnorm_offsets import Buf

__all__ = ["LEET_KEYWORDS", "NormText", "normalize_text"]


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


#: Passes 2–5, after pass 1 (:func:`pipeline.textnorm_chars.chars`).
_FOLDS: tuple[Callable[[Buf, set[str], bool], None], ...] = (at_dot, spaced, confusables, leet)


def normalize_text(text: str) -> NormText:
    """Normalize ``text`` (see module doc). Idempotent: normalizing the result again
    returns the same string. Every output character maps to a non-empty original span;
    spans are monotonic. Not cached: :func:`pipeline.signals.post_signals` normalizes each
    field once and hands the result to everything that reads it."""
    return _normalize(text)


def _normalize(text: str, fast: bool = True) -> NormText:
    """:func:`normalize_text`; ``fast=False`` skips every shortcut (the
    cheap checks that let a pass or a round be skipped), for tests."""
    buf = Buf(text)
    flags: set[str] = set()
    for _ in range(6):  # to a fixed point; real text settles in two rounds
        before = buf.text
        chars(buf, flags, fast)
        after_chars = buf.text
        for fold in _FOLDS:
            fold(buf, flags, fast)
        if buf.text == before or fast and buf.settled and buf.text == after_chars:
            break
    starts, ends = buf.final_maps()
    return NormText(buf.text, starts, ends, len(text), frozenset(flags))
