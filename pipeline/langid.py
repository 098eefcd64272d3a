"""Language of a post: :func:`detect` returns an ISO 639-1 code or ``"und"``.

Two steps:

1. **Script.** URLs, e-mails and @handles are removed, then letters are counted per script.
   A script with its own language wins when it holds at least :data:`SCRIPT_SHARE` of the
   letters (Han counts three times, one Han character being about one word): Thai → th,
   Lao → lo, Khmer → km, Myanmar → my, Sinhala → si, Han → zh (unless kana make up a tenth
   of the letters: Japanese, ``und``). So a Thai post with English
   words and a Latin handle is still ``th``.
2. **Latin script** (en, vi, id, ms, tl): Vietnamese-only letters (ư ơ đ ă and the stacked
   tone marks) decide ``vi`` outright; otherwise a multinomial naive Bayes over lower-cased
   words and character 1–3-grams of each word (``" word "``), add-one smoothing, trained with
   diacritic-free copies of the Vietnamese samples (people type "luong cao" too). When it
   says id or ms, marker words (:data:`MS_MARKERS`, :data:`ID_MARKERS`) settle between the
   two, which share most of their vocabulary.

The model is trained **once per process, lazily** (``lru_cache``, first call) from
``models/data/seed.jsonl`` (the team-written labelled set; its SHA-256 prefix is in
:func:`profile_version`) plus the short samples in :data:`BUILTIN_SAMPLES`, which mainly
give Malay (few seed rows) its distinctive words. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain, repeat
from operator import add

import numpy as np

from pipeline.chardigits import CharDigits
from pipeline.textnorm import normalize_text

LATIN_LANGS = ("en", "vi", "id", "ms", "tl")
#: Share of letters a non-Latin script needs to decide the language.
SCRIPT_SHARE = 0.25

_SCRIPT_LANG = (  # (first, last code point, language, weight)
    (0x0E00, 0x0E7F, "th", 1), (0x0E80, 0x0EFF, "lo", 1), (0x1780, 0x17FF, "km", 1),
    (0x19E0, 0x19FF, "km", 1), (0x1000, 0x109F, "my", 1), (0xA9E0, 0xA9FF, "my", 1),
    (0xAA60, 0xAA7F, "my", 1), (0x0D80, 0x0DFF, "si", 1), (0x4E00, 0x9FFF, "zh", 3),
    (0x3400, 0x4DBF, "zh", 3), (0xF900, 0xFAFF, "zh", 3), (0x20000, 0x2FA1F, "zh", 3),
    (0x3040, 0x30FF, "kana", 1),
)
#: Every code :func:`detect` returns.
DETECTED = (*LATIN_LANGS, *dict.fromkeys(lang for *_, lang, _w in _SCRIPT_LANG if lang != "kana"), "und")
_STRIP = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#]\w+|\b(?:t|wa)\.me/\S*", re.I)
_VI_ONLY = frozenset("ăâđêôơưĂÂĐÊÔƠƯ" "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
_WORD = re.compile(r"[^\W\d_]+")
#: Words that tell Malay from Indonesian (the two share most of their vocabulary); used when
#: the model says id or ms and the text holds markers of one side only, or more of one side.
MS_MARKERS = frozenset(
    "syarikat sahaja selepas percuma tiada ialah kerana baharu jawatan pejabat kilang kedai bas polis"
    " pasport kerajaan wang kenderaan elaun temuduga majikan kelayakan sila mahu nak je"
    " kemboja pelancong uruskan hantar sdn bhd kwsp perkeso rm ringgit awak dimaklumkan berlesen"
    " khidmat talian".split())
ID_MARKERS = frozenset(
    "bisa karena paspor kantor pabrik toko perusahaan lowongan karyawan pelamar wawancara"
    " silakan gratis uang butuh dicari mau aja saja setelah sesudah kak gan rp juta ribu kamu"
    " pemerintah kualifikasi persyaratan bapak ibu gimana nggak enggak kabupaten".split())

#: Short hand-written samples added to the seed set (Malay, and id/ms/tl function words).
BUILTIN_SAMPLES: dict[str, tuple[str, ...]] = {
    "ms": (
        "Jawatan kosong di syarikat kami. Gaji lumayan, boleh mohon sekarang, sila hubungi kami.",
        "Kerja sambilan dari rumah, tidak perlu pengalaman, percuma latihan, gaji dibayar setiap minggu.",
        "Kami mahu pekerja yang berminat. Sila hantar resume anda melalui WhatsApp sahaja.",
        "Syarikat baharu di Kuala Lumpur menawarkan elaun, cuti tahunan dan insurans kesihatan.",
        "Awak boleh mula kerja esok. Kenderaan disediakan, tempat tinggal percuma kerana syarikat tanggung.",
        "Permohonan dibuka kepada warganegara Malaysia sahaja. Temuduga akan diadakan minggu hadapan.",
    ),
    "id": (
        "Lowongan kerja di perusahaan kami, gaji besar, bisa langsung kerja, silakan hubungi kami.",
        "Dicari karyawan tanpa pengalaman, mau belajar, karena perusahaan sedang berkembang.",
        "Bagi yang berminat silakan kirim CV lewat WhatsApp, gaji Rp 8 juta per bulan.",
    ),
    "tl": (
        "Hiring ngayon! Walang experience na kailangan, libre ang pamasahe at tirahan, mag-apply na po.",
        "Kailangan namin ng mga empleyado para sa trabaho sa ibang bansa, malaki ang sahod.",
    ),
    "en": (
        "We are hiring customer service staff. No experience needed, high salary, apply now.",
    ),
    "vi": (
        "Tuyển nhân viên chăm sóc khách hàng, lương cao, bao ăn ở, liên hệ ngay.",
    ),
}


@dataclass(frozen=True)
class NaiveBayes:
    """Log-probability profiles per language (features: words and char 1–3-grams)."""

    priors: dict[str, float]
    logp: dict[str, dict[str, float]]
    unseen: dict[str, float]

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> NaiveBayes:
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in LATIN_LANGS}
        docs: Counter[str] = Counter()
        for text, lang in samples:
            if lang in counts:
                counts[lang].update(features(text))
                docs[lang] += 1
        vocab = set().union(*counts.values())
        total_docs = sum(docs.values())
        priors, logp, unseen = {}, {}, {}
        for lang, c in counts.items():
            denom = sum(c.values()) + len(vocab) + 1
            priors[lang] = math.log((docs[lang] + 1) / (total_docs + len(counts)))
            logp[lang] = {f: math.log((n + 1) / denom) for f, n in c.items()}
            unseen[lang] = math.log(1 / denom)
        return cls(priors, logp, unseen)

    def scores(self, text: str) -> dict[str, float]:
        """Log-probability of ``text`` per language: the prior plus, for every feature of
        :func:`features`, its log-probability. Summed per whitespace token of the lower-cased
        text (its words' features, computed once per token and kept, see :class:`_RowCache`),
        so a text costs a dictionary lookup per token and one numpy sum."""
        langs, _index, _table, prior = self._table()
        tokens = text.lower().split()  # _WORD never matches across whitespace
        totals = self._token_cache().sum(tokens) if tokens else np.zeros(len(langs))
        return dict(zip(langs, (prior + totals).tolist(), strict=True))

    def predict(self, text: str) -> str:
        scores = self.scores(text)
        ranked = sorted(scores.values(), reverse=True)
        # A score is a sum of negative terms, so summing them in another order moves it by at
        # most ~1e-16 × (number of terms) of its size. Two languages that close: decide on the
        # scores summed feature by feature, as before the per-token sums (same answer always).
        if len(ranked) > 1 and ranked[0] - ranked[1] <= 1e-6 * abs(ranked[1]):
            scores = self._feature_scores(text)
        return max(scores, key=lambda lang: scores[lang])

    def _feature_scores(self, text: str) -> dict[str, float]:
        """:meth:`scores` computed feature by feature (a count per feature × its log-probabilities)."""
        langs, index, table, prior = self._table()
        feats = Counter(features(text))
        rows = [index.get(f, -1) for f in feats]  # -1: the row of unseen log-probabilities
        totals = np.asarray(list(feats.values()), dtype=np.float64) @ table[rows] if rows else np.zeros(len(langs))
        return {lang: float(p + t) for lang, p, t in zip(langs, prior, totals, strict=True)}

    def _table(self) -> tuple[list[str], dict[str, int], np.ndarray, np.ndarray]:
        """The profiles as one (feature × language) matrix, built once: a text's scores are
        then one matrix product instead of a dictionary lookup per feature and language."""
        cached = self.__dict__.get("_cached_table")
        if cached is None:
            langs = list(self.priors)
            vocab = sorted(set().union(*(self.logp[lang] for lang in langs)))
            table = np.empty((len(vocab) + 1, len(langs)), dtype=np.float64)
            for j, lang in enumerate(langs):
                lp, unseen = self.logp[lang], self.unseen[lang]
                table[:-1, j] = [lp.get(f, unseen) for f in vocab]
                table[-1, j] = unseen
            cached = (langs, {f: i for i, f in enumerate(vocab)}, table,
                      np.asarray([self.priors[lang] for lang in langs]))
            object.__setattr__(self, "_cached_table", cached)
        return cached

    def _token_cache(self) -> _RowCache:
        """Per lower-cased whitespace token: the summed log-probabilities of its words'
        features (a row per language), from a per-word cache of the same sums."""
        cached = self.__dict__.get("_cached_tokens")
        if cached is None:
            langs, index, table, _prior = self._table()
            word_cache = _RowCache(len(langs), _WordRows(index, table))

            def token_rows(tokens: list[str]) -> np.ndarray:
                out = np.zeros((len(tokens), len(langs)))
                findall = _WORD.findall  # a token of letters only is one word
                words = [[token] if token.isalpha() else findall(token) for token in tokens]
                counts = np.fromiter(map(len, words), dtype=np.intp, count=len(words))
                has = np.flatnonzero(counts)  # tokens without a word ("123", "-") score 0
                if len(has):
                    n = counts[has]
                    vectors = word_cache.take(list(chain.from_iterable(words)))
                    out[has] = np.add.reduceat(vectors, np.cumsum(n) - n, axis=0)
                return out

            cached = _RowCache(len(langs), token_rows)
            object.__setattr__(self, "_cached_tokens", cached)
        return cached


class _WordRows:
    """Per word: the sum of the table rows of its features, ``w:word`` then the 1-, 2- and
    3-grams of ``" word "`` in the order of :func:`_grams` (so the same sums to the last bit),
    for many new words at once with array operations instead of a string and a dictionary
    lookup per n-gram.

    Each character of the vocabulary's features of 1–3 characters gets a digit ``1..A`` (0:
    any other character, which no such feature holds); the n-grams starting at each character
    of the padded words are numbers in base ``b = A + 1`` (equal numbers, equal n-grams),
    looked up in tables indexed by those numbers: unigrams (``b`` rows), bigrams (``b²``), and
    trigrams by their bigram prefix (a block of ``b`` per prefix some trigram has). Used when
    those tables are small (every character in the Basic Multilingual Plane, ``b² ≤ 2²⁰``);
    otherwise, and for the test of the tables, :meth:`by_dict` looks every feature up."""

    def __init__(self, index: dict[str, int], table: np.ndarray) -> None:
        self.index, self.table = index, table
        grams = [f for f in index if 1 <= len(f) <= 3]
        self.digits = CharDigits(c for f in grams for c in f)  # 0: a character no feature holds
        b = self.base = self.digits.base
        self.usable = b * b <= 1 << 20 and all(c < "\uffff" for c in self.digits.chars)
        if not self.usable:
            return
        digit = self.digits.digit()
        self.uni = np.full(b, -1, dtype=np.intp)  # -1: the row of unseen features
        self.bi = np.full(b * b, -1, dtype=np.intp)
        self.prefix = np.zeros(b * b, dtype=np.intp)  # block of the trigrams, 0: none (all -1)
        trigrams = [(digit[f[0]] * b + digit[f[1]], digit[f[2]], index[f]) for f in grams if len(f) == 3]
        blocks = dict.fromkeys(two for two, _three, _row in trigrams)
        self.prefix[list(blocks)] = np.arange(1, len(blocks) + 1)
        self.tri = np.full((len(blocks) + 1) * b, -1, dtype=np.intp)
        for f in grams:
            if len(f) == 1:
                self.uni[digit[f]] = index[f]
            elif len(f) == 2:
                self.bi[digit[f[0]] * b + digit[f[1]]] = index[f]
        for two, three, row in trigrams:
            self.tri[self.prefix[two] * b + three] = row

    def __call__(self, words: list[str]) -> np.ndarray:
        if not self.usable or len(words) < 8:  # a few words: quicker one by one
            return self.by_dict(words)
        b = self.base
        lens = list(map(len, words))
        sizes = np.fromiter(lens, dtype=np.intp, count=len(lens)) + 2  # " word "
        starts = np.cumsum(sizes) - sizes
        feats = 3 * sizes - 2  # 3 * len(word) + 4, see _grams
        # " w1  w2  w3 ": the padded words one after another, a digit per character
        digits = self.digits.of(" " + "  ".join(words) + " ")
        # the rows of the n-grams starting at each character: [unigram, bigram, trigram, w:word]
        grams = np.empty((len(digits), 4), dtype=np.intp)  # the places of no n-gram are never read
        self.uni.take(digits, out=grams[:, 0])
        two = digits[:-1] * b
        two += digits[1:]
        self.bi.take(two, out=grams[:-1, 1])
        three = self.prefix[two[:-1]] * b
        three += digits[2:]
        self.tri.take(three, out=grams[:-2, 2])
        grams[starts, 3] = np.fromiter(map(self.index.get, map(add, repeat("w:"), words), repeat(-1)),
                                       dtype=np.intp, count=len(words))
        # each word's features in the order of _grams: where they are in ``grams``
        at = np.concatenate([_feature_places(n) for n in lens]) + np.repeat(4 * starts, feats)
        first = np.cumsum(feats) - feats
        return np.add.reduceat(self.table.take(grams.ravel().take(at), axis=0), first, axis=0)

    def by_dict(self, words: list[str]) -> np.ndarray:
        """:meth:`__call__` by a dictionary lookup per feature."""
        grams = chain.from_iterable(map(_grams, words))
        rows = np.fromiter(map(self.index.get, grams, repeat(-1)), dtype=np.intp)
        sizes = np.fromiter(map(len, words), dtype=np.intp, count=len(words)) * 3 + 4
        return np.add.reduceat(self.table.take(rows, axis=0), np.cumsum(sizes) - sizes, axis=0)


@lru_cache(maxsize=256)
def _feature_places(n: int) -> np.ndarray:
    """For a word of ``n`` letters, where :meth:`_WordRows.__call__` finds its features, in the
    order of :func:`_grams`, from ``4 × `` the start of ``" word "``: ``w:word``, then the
    unigrams, bigrams and trigrams starting at each character (4 places per character)."""
    places = np.concatenate(([3], np.arange(n + 2) * 4, np.arange(n + 1) * 4 + 1, np.arange(n) * 4 + 2))
    places.flags.writeable = False  # shared by the callers
    return places


class _RowCache:
    """``key → row`` of floats, computed on first sight (``compute(keys)`` gives the rows of
    several keys at once) and kept in one growing matrix, so the rows of a text's keys are
    gathered and summed by numpy. Emptied when it holds more than ``limit`` keys.

    Safe to share between threads: readers take the (index, matrix) pair once; a writer (one
    at a time) fills a row before publishing its key, and replaces the pair when it grows the
    matrix or empties the cache, so a reader's pair stays consistent."""

    def __init__(self, width: int, compute: Callable[[list[str]], np.ndarray], limit: int = 200_000) -> None:
        self.width, self.compute, self.limit = width, compute, limit
        self._lock = threading.Lock()
        self._state: tuple[dict[str, int], np.ndarray] = ({}, np.empty((1024, width)))

    def _rows(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        index, matrix = self._state
        try:
            rows = np.fromiter(map(index.get, keys), dtype=np.intp, count=len(keys))
        except TypeError:  # None: a key not seen yet
            index, matrix = self._add(keys)
            rows = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=len(keys))
        return rows, matrix

    def take(self, keys: list[str]) -> np.ndarray:
        """The rows of ``keys`` (one per key)."""
        rows, matrix = self._rows(keys)
        return matrix.take(rows, axis=0)

    def sum(self, keys: list[str]) -> np.ndarray:
        """The sum of the rows of ``keys`` (``keys`` not empty)."""
        rows, matrix = self._rows(keys)
        return matrix.take(rows, axis=0).sum(axis=0)

    def _add(self, keys: list[str]) -> tuple[dict[str, int], np.ndarray]:
        """Adds the rows of the ``keys`` not yet kept; returns a state holding all of them."""
        with self._lock:
            index, matrix = self._state
            missing = list(set(keys).difference(index))
            if len(index) + len(missing) > self.limit:
                index, matrix = {}, np.empty((1024, self.width))
                missing = list(set(keys))
            new = self.compute(missing)
            size, end = len(index), len(index) + len(missing)
            if end > len(matrix):
                grown = np.empty((max(2 * len(matrix), end), self.width))
                grown[:size] = matrix[:size]
                index, matrix = dict(index), grown
            matrix[size:end] = new
            index.update(zip(missing, range(size, end), strict=True))
            self._state = (index, matrix)
            return index, matrix


def features(text: str) -> list[str]:
    """Words (``w:``) and character 1–3-grams of ``" word "`` (lower case)."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        out.extend(_word_features(word))
    return out


def _grams(word: str) -> Iterable[str]:
    """The features of one (lower-case) word: ``w:word``, then the 1-, 2- and 3-grams of
    ``" word "`` (``3 * len(word) + 4`` in all), made in C loops."""
    padded = f" {word} "
    bigrams = list(map(add, padded, padded[1:]))
    return chain((f"w:{word}",), padded, bigrams, map(add, bigrams, padded[2:]))


def _word_features(word: str) -> tuple[str, ...]:
    """:func:`_grams` of ``word``, computed once (words repeat across posts)."""
    feats = _WORD_FEATURES.get(word)
    if feats is None:
        if len(_WORD_FEATURES) > 200_000:
            _WORD_FEATURES.clear()
        feats = _WORD_FEATURES[word] = tuple(_grams(word))
    return feats


#: features of a word, computed once (words repeat across posts)
_WORD_FEATURES: dict[str, tuple[str, ...]] = {}


def _seed_text() -> str:
    return resources.files("models").joinpath("data/seed.jsonl").read_text("utf-8")


def seed_rows() -> list[dict[str, object]]:
    """Rows of ``models/data/seed.jsonl``."""
    return [json.loads(line) for line in _seed_text().splitlines() if line.strip()]


def training_samples(rows: Iterable[dict[str, object]]) -> list[tuple[str, str]]:
    """``(text, lang)`` pairs from seed rows (title and text) plus :data:`BUILTIN_SAMPLES`."""
    out = [(f"{row.get('title') or ''} {row['text']}", str(row["lang"])) for row in rows]
    out += [(text, lang) for lang, texts in BUILTIN_SAMPLES.items() for text in texts]
    # Vietnamese is often typed without diacritics: learn that spelling too.
    out += [(strip_diacritics(text), lang) for text, lang in out if lang == "vi"]
    return out


def strip_diacritics(text: str) -> str:
    """Latin letters without combining marks, đ → d ("Lương" → "Luong")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def model() -> NaiveBayes:
    """The Latin-script model, trained on first use from the seed set and built-in samples."""
    return NaiveBayes.train(training_samples(seed_rows()))


def profile_version() -> str:
    """``langid-nb.v1+<first 12 hex digits of SHA-256(seed.jsonl)>``: what the model saw."""
    return "langid-nb.v1+" + hashlib.sha256(_seed_text().encode("utf-8")).hexdigest()[:12]


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


_ASCII_LETTER = re.compile("[A-Za-z]")


def script_language(text: str) -> str | None:
    """The language a non-Latin script decides (see module doc), ``"latin"`` when Latin
    letters dominate, None when the text has no letters."""
    return _script_and_vi(text)[0]


def _script_and_vi(text: str) -> tuple[str | None, int]:
    """:func:`script_language` of ``text`` and how many Vietnamese-only letters it holds
    (letters counted per class with numpy: a table lookup per code point)."""
    if text.isascii():
        return ("latin" if _ASCII_LETTER.search(text) else None), 0
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
    return _script_of(weights), counts[_LATIN_VI]


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
    return "latin" if weights["latin"] >= weights["other"] else "other"


#: Where a match of :data:`_STRIP` may be: every match holds ``@``, ``#``, ``://``, ``www.``
#: or ``.me/`` (any case) and no whitespace, so only the tokens holding one need the pattern.
_DOT_HINT = re.compile(r"\.(?:(?<=(?i:www)\.)|(?=(?i:me)/))")
_STRIP_HINT = re.compile("@|#|://|" + _DOT_HINT.pattern)
_SPACES = re.compile(r"(\s+)")


def _strip_links(text: str) -> str:
    """``_STRIP.sub(" ", text)``, applied only to the whitespace-delimited tokens holding a
    :data:`_STRIP_HINT`: no match crosses whitespace, and ``\\b`` sees the same non-word
    character (or the text's start) before a token, so the result is the same and most
    long texts are never scanned by :data:`_STRIP`."""
    if not ("@" in text or "#" in text or "://" in text or _DOT_HINT.search(text)):
        return text
    hint = _STRIP_HINT.search
    return "".join(_STRIP.sub(" ", part) if hint(part) else part for part in _SPACES.split(text))


def detect(text: str, model_: NaiveBayes | None = None) -> str:
    """ISO 639-1 code of ``text`` (en vi th zh id ms tl km my lo si), ``"und"`` when it has no
    letters or is in another script. ``model_`` replaces the shipped model (for evaluation)."""
    clean = _strip_links(normalize_text(text).text)
    script, vi_letters = _script_and_vi(clean)
    if script is None or script == "other":
        return "und"
    if script != "latin":
        return script
    if vi_letters >= 2:
        return "vi"
    if not _WORD.search(clean):
        return "und"
    lang = (model_ or model()).predict(clean)
    if lang in ("id", "ms"):
        words = [w.lower() for w in _WORD.findall(clean)]
        ms, id_ = sum(w in MS_MARKERS for w in words), sum(w in ID_MARKERS for w in words)
        if ms != id_:
            lang = "ms" if ms > id_ else "id"
    return lang
