"""Language of a post: :func:`detect` returns an ISO 639-1 code or ``"und"``.

URLs, e-mails and @handles are removed from the normalized text, then:

1. **Script.** Letters are counted per script. A script with its own language wins when it
   holds at least :data:`SCRIPT_SHARE` of the letters (Han counts three times, one Han
   character being about one word): Thai → th, Lao → lo, Khmer → km, Myanmar → my, Sinhala →
   si, Han → zh (unless kana make up a tenth of the letters: Japanese, ``und``). So a Thai post
   with English words and a Latin handle is still ``th``. Another script without a language of
   ours (Cyrillic, Greek, Hangul…) holding that share gives ``und``: Russian spam whose look-alike
   letters normalization turned Latin is not Malay.
2. **Vietnamese letters.** Letters only Vietnamese uses (ư ơ đ ă and the stacked tone marks;
   not â ê ô, which French and Portuguese share) making up :data:`VI_SHARE` of the Latin
   letters decide ``vi``. Fewer are names in another language ("… Công Ty Cổ Phần … Hồ Chí Minh"
   heading an English ad): those words lose their marks before step 3.
3. **Latin script**: `lingua <https://github.com/pemistahl/lingua-py>`_ (its language models
   are compiled into the wheel; nothing is downloaded) chooses among :data:`LATIN_LANGS` and
   the widespread :data:`OTHER_LATIN`, so a French post is ``fr``, not Tagalog. Its cost grows
   with the length (about 1 µs a character), so it reads :data:`GLANCE` characters quickly
   (low-accuracy mode: trigrams) and, unless that gives one language :data:`SURE` confidence,
   :data:`EXCERPT` characters carefully (high-accuracy mode: 1- to 5-grams under 120 letters).
   From a longer text it reads whole words starting a third of the way in: the head of an ad
   is title, company and place names. Short texts are ambiguous and the region's languages far
   commoner here: an other language wins only with :data:`OTHER_MIN` confidence, else the
   likeliest of :data:`LATIN_LANGS` does. Malay and Indonesian share most of their words, and
   Indonesian is the commoner: ``ms`` needs :data:`MS_SHARE` of their summed confidence, and
   marker words (:data:`MS_MARKERS`, :data:`ID_MARKERS`) settle it when the text holds more of
   one side's.

lingua's two detectors are built once per process and load their models on first use (under a
second; about 170 MB once every model has been used). ``bench/langid_accuracy.py`` and
``bench/langid_speed.py`` measure accuracy and cost.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib.metadata import version

import numpy as np
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from pipeline.textnorm import normalize_text

#: The region's Latin-script languages.
LATIN_LANGS = ("en", "vi", "id", "ms", "tl")
#: Widespread Latin-script languages told apart so that they are not called one of ours.
OTHER_LATIN = ("fr", "es", "pt", "de")
#: Share of letters a non-Latin script needs to decide the language.
SCRIPT_SHARE = 0.25
#: Share of the Latin letters that Vietnamese-only letters need to decide ``vi``.
VI_SHARE = 0.04
#: Characters of a text lingua reads first (quickly), then at most (carefully).
GLANCE, EXCERPT = 80, 150
#: Confidence at which the quick reading decides.
SURE = 0.999
#: Confidence an :data:`OTHER_LATIN` language needs to win.
OTHER_MIN = 0.5
#: Share of the Malay + Indonesian confidence Malay needs.
MS_SHARE = 0.7

_SCRIPT_LANG = (  # (first, last code point, language, weight)
    (0x0E00, 0x0E7F, "th", 1), (0x0E80, 0x0EFF, "lo", 1), (0x1780, 0x17FF, "km", 1),
    (0x19E0, 0x19FF, "km", 1), (0x1000, 0x109F, "my", 1), (0xA9E0, 0xA9FF, "my", 1),
    (0xAA60, 0xAA7F, "my", 1), (0x0D80, 0x0DFF, "si", 1), (0x4E00, 0x9FFF, "zh", 3),
    (0x3400, 0x4DBF, "zh", 3), (0xF900, 0xFAFF, "zh", 3), (0x20000, 0x2FA1F, "zh", 3),
    (0x3040, 0x30FF, "kana", 1),
)
#: Every code :func:`detect` returns.
DETECTED = (*LATIN_LANGS, *OTHER_LATIN,
            *dict.fromkeys(lang for *_, lang, _w in _SCRIPT_LANG if lang != "kana"), "und")
_STRIP = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#]\w+|\b(?:t|wa)\.me/\S*", re.I)
_VI_LOWER = "ăđơư" "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
_VI_ONLY = frozenset(_VI_LOWER + _VI_LOWER.upper())
_VI_WORD = re.compile(f"\\w*[{_VI_LOWER}{_VI_LOWER.upper()}]\\w*")
_WORD = re.compile(r"[^\W\d_]+")
#: Words that tell Malay from Indonesian (the two share most of their vocabulary).
MS_MARKERS = frozenset(
    "syarikat sahaja selepas percuma tiada ialah kerana baharu jawatan pejabat kilang kedai bas polis"
    " pasport kerajaan wang kenderaan elaun temuduga majikan kelayakan sila mahu nak je"
    " kemboja pelancong uruskan hantar sdn bhd kwsp perkeso rm ringgit awak dimaklumkan berlesen"
    " khidmat talian".split())
ID_MARKERS = frozenset(
    "bisa karena paspor kantor pabrik toko perusahaan lowongan karyawan pelamar wawancara"
    " silakan gratis uang butuh dicari mau aja saja setelah sesudah kak gan rp juta ribu kamu"
    " pemerintah kualifikasi persyaratan bapak ibu gimana nggak enggak kabupaten".split())


#: lingua's languages and their codes
_LINGUA = {Language.from_iso_code_639_1(IsoCode639_1.from_str(code)): code for code in (*LATIN_LANGS, *OTHER_LATIN)}


@lru_cache(maxsize=2)
def detector(quick: bool = False) -> LanguageDetector:
    """The lingua detector over :data:`LATIN_LANGS` and :data:`OTHER_LATIN`, built once:
    ``quick`` in low-accuracy mode (character trigrams), else high-accuracy (1- to 5-grams for
    texts under 120 letters, trigrams beyond)."""
    builder = LanguageDetectorBuilder.from_languages(*_LINGUA)
    return (builder.with_low_accuracy_mode() if quick else builder).build()


def profile_version() -> str:
    """``langid.v2+lingua-<version>``: what decides the Latin-script languages."""
    return f"langid.v2+lingua-{version('lingua-language-detector')}"


def strip_diacritics(text: str) -> str:
    """Latin letters without combining marks, đ → d ("Lương" → "Luong")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Letter classes: not a letter, Latin, a Vietnamese-only Latin letter (:data:`_VI_ONLY`),
#: another script, then one class per range of :data:`_SCRIPT_LANG`.
_NONE, _LATIN, _LATIN_VI, _OTHER, _RANGE0 = range(5)
_CLASS_LANG: tuple[tuple[str, int], ...] = (
    ("", 0), ("latin", 1), ("latin", 1), ("other", 1), *((lang, weight) for _f, _l, lang, weight in _SCRIPT_LANG))
_BEYOND = len(_CLASS_LANG)  # in the table: a code point past it, classified one by one
_VI_ONLY_CODES = frozenset(map(ord, _VI_ONLY))  # all beyond ASCII


def _letter_class(cp: int) -> int:
    """The letter class of code point ``cp``."""
    if not chr(cp).isalpha():
        return _NONE
    for i, (first, last, _lang, _weight) in enumerate(_SCRIPT_LANG):
        if first <= cp <= last:
            return _RANGE0 + i
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
        return _LATIN_VI if cp in _VI_ONLY_CODES else _LATIN
    return _OTHER


class _LetterClasses(dict[int, int]):
    """:func:`_letter_class` of code points past :func:`_class_table`, filled on first sight."""

    def __missing__(self, cp: int) -> int:
        value = self[cp] = _letter_class(cp)
        return value


_CLASSES = _LetterClasses()


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """:func:`_letter_class` of every code point of the Basic Multilingual Plane, indexed by
    code point, then :data:`_BEYOND` (built once, ~20 ms)."""
    return np.fromiter((*map(_letter_class, range(0x10000)), _BEYOND), dtype=np.uint8, count=0x10001)


_ASCII_LETTERS = string.ascii_letters.encode("ascii")


def script_language(text: str) -> str | None:
    """The language a non-Latin script decides (see module doc), ``"latin"`` when Latin
    letters decide, ``"other"`` for another script, None when the text has no letters."""
    return _script_letters(text)[0]


def _script_letters(text: str) -> tuple[str | None, int, int]:
    """:func:`script_language` of ``text``, its Vietnamese-only letters and its Latin letters
    (all of them; counted per class with numpy: a table lookup per code point)."""
    if text.isascii():
        latin = len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTERS))
        return ("latin" if latin else None), 0, latin
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = np.bincount(_class_table()[np.minimum(codes, 0x10000)], minlength=_BEYOND + 1).tolist()
    if counts[_BEYOND]:
        for cp in codes[codes > 0xFFFF].tolist():
            counts[_CLASSES[cp]] += 1
    weights: Counter[str] = Counter()
    for cls in range(_LATIN, _BEYOND):
        if counts[cls]:
            lang, weight = _CLASS_LANG[cls]
            weights[lang] += counts[cls] * weight
    return _script_of(weights), counts[_LATIN_VI], counts[_LATIN] + counts[_LATIN_VI]


def _script_of(weights: Counter[str]) -> str | None:
    total = sum(weights.values())
    if not total:
        return None
    if weights["kana"] >= 0.1 * total:  # Japanese: Han with kana is not Chinese
        return "other"
    local = [(n, lang) for lang, n in weights.items() if lang not in ("latin", "other", "kana")]
    if local:
        n, lang = max(local)
        if n >= SCRIPT_SHARE * total:
            return lang
    return "other" if weights["other"] >= SCRIPT_SHARE * total else "latin"


#: Where a match of :data:`_STRIP` may be: every match holds ``@``, ``#``, ``://``, ``www.``
#: or ``.me/`` (any case) and no whitespace, so only the tokens holding one need the pattern.
_DOT_HINT = re.compile(r"\.(?:(?<=(?i:www)\.)|(?=(?i:me)/))")
_STRIP_HINT = re.compile("@|#|://|" + _DOT_HINT.pattern)
_SPACES = re.compile(r"(\s+)")
_SPACE = re.compile(r"\s")


def _strip_links(text: str) -> str:
    """``_STRIP.sub(" ", text)``, applied only to the whitespace-delimited tokens holding a
    :data:`_STRIP_HINT` (no match crosses whitespace), so most long texts are never scanned
    by :data:`_STRIP`."""
    if not ("@" in text or "#" in text or "://" in text or _DOT_HINT.search(text)):
        return text
    hint = _STRIP_HINT.search
    return "".join(_STRIP.sub(" ", part) if hint(part) else part for part in _SPACES.split(text))


def excerpt(text: str, size: int) -> str:
    """``text`` if it has at most ``size`` characters, else words (letters only, what lingua
    reads) filling at most that many, from the first whitespace a third of the way in
    (earlier when fewer than twice that many characters follow)."""
    if len(text) <= size:
        return text
    start = max(0, min(len(text) // 3, len(text) - 2 * size))
    space = _SPACE.search(text, start)
    words, length = [], -1
    for word in _WORD.finditer(text, space.end() if space else start):
        length += len(word.group()) + 1
        if length > size:
            words = words or [word.group()[:size]]
            break
        words.append(word.group())
    return " ".join(words)


def detect(text: str, normalized: str | None = None) -> str:
    """ISO 639-1 code of ``text`` (one of :data:`DETECTED`), ``"und"`` when it has no
    letters or is in another script. ``normalized``: ``text`` already normalized
    (:func:`pipeline.textnorm.normalize_text`), so it is not normalized again."""
    clean = _strip_links(normalize_text(text).text if normalized is None else normalized)
    script, vi_letters, latin_letters = _script_letters(clean)
    if script is None or script == "other":
        return "und"
    if script != "latin":
        return script
    if vi_letters >= 2 and vi_letters >= VI_SHARE * latin_letters:
        return "vi"
    for quick, size in ((True, GLANCE), (False, EXCERPT)):
        sample = excerpt(clean, size)
        if vi_letters:
            sample = _VI_WORD.sub(lambda m: strip_diacritics(m.group()), sample)
        values = detector(quick).compute_language_confidence_values(sample)
        if values and values[0].value >= SURE:
            break
    if not values or not values[0].value:  # no letter sequence lingua knows
        return "und"
    confidence = {_LINGUA[v.language]: v.value for v in values}
    lang = _LINGUA[values[0].language]
    if lang not in LATIN_LANGS and confidence[lang] < OTHER_MIN:
        lang = max(LATIN_LANGS, key=confidence.__getitem__)
    if lang in ("id", "ms"):
        lang = "ms" if confidence["ms"] >= MS_SHARE * (confidence["ms"] + confidence["id"]) else "id"
        words = [w.lower() for w in _WORD.findall(clean)]
        ms, id_ = sum(w in MS_MARKERS for w in words), sum(w in ID_MARKERS for w in words)
        if ms != id_:
            lang = "ms" if ms > id_ else "id"
    return lang
