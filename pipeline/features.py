"""Feature code shared by the score stage, ``lurewatch score`` and model training.

The classifier's input is one string per post, :func:`model_input`: the normalized title
and text as a :class:`ModelText`, a ``str`` that also carries the post's :class:`Signals`
(indicator hits and identifier types). The pipeline's indicators and extract stages have
already found those, so the score stage passes them in (:func:`record_signals`) instead of
finding them again; training computes them with :func:`post_signals`, the same functions
the stages run. A plain ``str`` still works: its signals are then computed from it.

Text features: word 1–2-grams and within-word character 2–4-grams (:func:`analyze_chars`)
over :func:`ngram_text`, both counted fast at scoring time by :class:`FastTfidfVectorizer`.
"""

from __future__ import annotations

import operator
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.chardigits import CharDigits
from pipeline.textnorm import normalize_text

if TYPE_CHECKING:
    from pipeline.records import IndicatorHit, Record

ENTITY_TYPES = ("phone", "telegram", "whatsapp", "email", "url")


@dataclass(frozen=True)
class Signals:
    """What the signal stages found in a post: indicator ``(id, weight)`` hits (after
    combination and context rules) and the types of identifiers found, those of
    :data:`ENTITY_TYPES` only (the ones the model reads)."""

    hits: tuple[tuple[str, float], ...] = ()
    entity_types: tuple[str, ...] = ()


class ModelText(str):
    """A model input string that carries the post's precomputed :class:`Signals`."""

    signals: Signals | None

    def __new__(cls, text: str, signals: Signals | None = None) -> ModelText:
        obj = super().__new__(cls, text)
        obj.signals = signals
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (ModelText, (str(self), self.signals))


def model_text(title: str | None, text: str) -> str:
    """What the classifier reads: normalized title, newline, normalized text."""
    body = normalize_text(text).text
    return f"{normalize_text(title).text}\n{body}" if title else body


def post_signals(title: str | None, text: str, lang: str | None = None,
                 region: str | None = None) -> Signals:
    """Signals of a post as the pipeline's stages find them: indicator hits over title and
    text together (``pipeline.stages.indicators``) and identifiers of each field
    (``pipeline.stages.extract``)."""
    return find_signals(title, text, lang, region)[0]


def find_signals(title: str | None, text: str, lang: str | None = None, region: str | None = None,
                 every_identifier: bool = False) -> tuple[Signals, list[IndicatorHit]]:
    """:func:`post_signals` and the indicator hits behind them (with spans and evidence).
    Only the identifier types the model reads are looked for (money, ages and places are
    not), unless ``every_identifier`` (as the daily pipeline's extract stage does; same result)."""
    from pipeline.stages.extract import entities_for
    from pipeline.stages.indicators import _single_hits, finalize

    singles = _single_hits(title, "title") if title else []
    singles += _single_hits(text, "text")
    hits = finalize(singles)
    types = None if every_identifier else ENTITY_TYPES
    ents = entities_for(title, lang, "title", region, types) if title else []
    ents += entities_for(text, lang, "text", region, types)
    return Signals(tuple((h.id, h.weight) for h in hits), tuple(e.type for e in ents if e.type in ENTITY_TYPES)), hits


def record_signals(record: Record) -> Signals:
    """Signals a record already carries from the indicators and extract stages."""
    return Signals(tuple((h.id, h.weight) for h in record.indicators),
                   tuple(e.type for e in record.entities if e.type in ENTITY_TYPES))


def model_input(title: str | None, text: str, *, lang: str | None = None,
                signals: Signals | None = None) -> ModelText:
    """The classifier's input for one post; computes the signals unless given."""
    if signals is None:
        signals = post_signals(title, text, lang)
    return ModelText(model_text(title, text), signals)


@lru_cache(maxsize=20_000)
def _text_signals(text: str) -> Signals:
    return post_signals(None, text)


def signals_of(x: str) -> Signals:
    """The signals a model input carries, or those of its text when it is a plain str."""
    sig = getattr(x, "signals", None)
    return sig if sig is not None else _text_signals(str(x))


# ---------------------------------------------------------------- text features

_TLDS = "example|com|net|org|vn|th|ph|kh|my|id|sg|co"

#: (pattern, placeholder, quick test): each mask is applied, in this order, only when its
#: quick test finds what every match contains in the lower-cased text — a URL "http" or
#: "www." (once lower-cased, no other character matches these letters under re.I; tested),
#: an e-mail or a handle "@", a domain name a dot and one of the endings.
_MASKS = (
    (re.compile(r"(?:https?://|www\.)\S+", re.I), " urltoken ", lambda t: "http" in t or "www." in t),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " emailtoken ", lambda t: "@" in t),
    (re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}"), " handletoken ", lambda t: "@" in t),
    (re.compile(rf"\b[\w-]+\.(?:{_TLDS})\b(?:/\S*)?", re.I), " domaintoken ",
     re.compile(rf"\.(?:{_TLDS})\b", re.I).search),
)


def ngram_text(text: str) -> str:
    """Text for the n-gram features: lower-cased, with URLs, e-mails, handles and domain
    names replaced by placeholder words so the model learns phrasing, not addresses (which
    the identifier features count). A plain function (the model file refers to it by name);
    results are cached because both vectorizers read the same posts."""
    return _ngram_text(text)


@lru_cache(maxsize=2048)
def _ngram_text(text: str) -> str:
    t = text.lower()
    for rx, repl, may_match in _MASKS:
        if may_match(t):
            t = rx.sub(repl, t)
    return t


_CHAR_CACHE: dict[str, list[str]] = {}
_CHAR_CACHE_MAX = 300_000


@lru_cache(maxsize=256)
def _gram_slices(n: int) -> tuple[slice, ...]:
    """Where scikit-learn's ``char_wb`` 2–4-grams of an ``n``-character padded word are: all
    2-, 3- and 4-grams, except that a padded word shorter than n counts once as an n-gram
    and ends the n-grams."""
    out: list[slice] = []
    for k in (2, 3, 4):
        if n <= k:
            out.append(slice(0, n))
            break
        out.extend(slice(i, i + k) for i in range(n - k + 1))
    return tuple(out)


def _char_ngrams(word: str) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams (2–4) of one whitespace-delimited word."""
    w = f" {word} "
    return list(map(w.__getitem__, _gram_slices(len(w))))


def analyze_chars(text: str) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer (character 2–4-grams inside whitespace-delimited
    words padded with a space) over :func:`ngram_text`, with each word's n-grams computed
    once and reused: words repeat across posts, so this is several times faster."""
    out: list[str] = []
    cache = _CHAR_CACHE
    for word in ngram_text(text).split():
        grams = cache.get(word)
        if grams is None:
            if len(cache) >= _CHAR_CACHE_MAX:
                cache.clear()
            grams = cache[word] = _char_ngrams(word)
        out.extend(grams)
    return out


# ------------------------------------------------- counting n-grams of known features fast
#
# Both vectorizers read the whitespace-delimited words of ngram_text: the character n-grams
# never cross them, and neither do the word tokens (scikit-learn's token pattern matches runs
# of word characters, and no whitespace character is one; tested), so a post's tokens are
# its words' tokens in order. Each distinct word gets a number (_Words); per vectorizer a
# _Runs table holds, per word number, the word's feature columns (character n-grams) or its
# token numbers (word n-grams), computed once. A batch is then counted with array operations:
# gather the runs of its words, look up unigrams and adjacent-token bigrams, and count
# (row, column) pairs with one sort, which also orders each row's columns as scikit-learn does.

#: scikit-learn's default token pattern, the one the fast word counting reproduces
WORD_PATTERN = r"(?u)\b\w\w+\b"
_TOKENS = re.compile(WORD_PATTERN)
_WORDS_MAX = 300_000
_LOCK = threading.Lock()


class _Words(dict[str, int]):
    """Numbers of the whitespace-delimited words seen: a new word gets the next number."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        with _LOCK:
            n = self.get(word)
            if n is None:
                n = len(self.words)
                self.words.append(word)
                self[word] = n
        return n


_WORDS = _Words()


#: the last batch's word numbers, handed to the next vectorizer that counts the same
#: documents (the char vectorizer after the word vectorizer in the model's FeatureUnion)
_HANDOFF: tuple[list[str], _Words, np.ndarray, np.ndarray] | None = None


def _word_numbers(docs: list[str]) -> tuple[_Words, np.ndarray, np.ndarray]:
    """The numbers of every document's words (of :func:`ngram_text`), all documents one
    after the other, and where each document's start (``len(docs) + 1`` offsets)."""
    global _WORDS, _HANDOFF
    held, _HANDOFF = _HANDOFF, None
    if (held is not None and held[1] is _WORDS and len(held[0]) == len(docs)
            and all(map(operator.is_, held[0], docs))):
        return held[1], held[2], held[3]
    words = _WORDS
    if len(words.words) >= _WORDS_MAX:  # start afresh rather than grow without bound
        words = _WORDS = _Words()
    number = words.__getitem__
    nums: list[int] = []
    ends = [0]
    for doc in docs:
        nums.extend(map(number, ngram_text(doc).split()))
        ends.append(len(nums))
    out = words, np.asarray(nums, dtype=np.intp), np.asarray(ends, dtype=np.intp)
    _HANDOFF = (list(docs), *out)
    return out


def _grow(a: np.ndarray, n: int) -> np.ndarray:
    if len(a) >= n:
        return a
    out = np.empty(max(n, 2 * len(a)), dtype=a.dtype)
    out[:len(a)] = a
    return out


#: the runs of values of several words: all values, word after word, and how many per word
RunsOf = Callable[[list[str]], tuple[np.ndarray, np.ndarray]]


def _flat(runs: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """``runs`` as :data:`RunsOf` gives them."""
    lens = np.fromiter(map(len, runs), dtype=np.intp, count=len(runs))
    return np.fromiter(chain.from_iterable(runs), dtype=np.int32, count=int(lens.sum())), lens


class _Runs:
    """Per word number of ``words``, the run of int32 values ``of_words`` gives for the word,
    all runs in one array, filled up to the words numbered so far by :meth:`update` (the new
    words' runs made in one call)."""

    def __init__(self, words: _Words, of_words: RunsOf) -> None:
        self.words = words
        self.of_words = of_words
        self.values = np.empty(4096, dtype=np.int32)
        self.offsets = np.zeros(1024, dtype=np.intp)  # run i is values[offsets[i]:offsets[i + 1]]
        self.n = 0

    def update(self) -> None:
        with _LOCK:
            n, n_words = self.n, len(self.words.words)
            if n >= n_words:
                return
            new, lens = self.of_words(self.words.words[n:n_words])
            start = int(self.offsets[n])
            values = _grow(self.values, start + len(new))
            values[start:start + len(new)] = new
            offsets = _grow(self.offsets, n_words + 1)
            offsets[n + 1:n_words + 1] = start + np.cumsum(lens)
            self.values, self.offsets, self.n = values, offsets, n_words

    def gather(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The runs of the words ``nums``, concatenated (a new array), and their lengths."""
        starts = self.offsets[nums]
        lens = self.offsets[nums + 1] - starts
        ends = np.cumsum(lens)
        total = int(ends[-1]) if len(ends) else 0
        index = np.int32 if self.offsets[self.n] <= np.iinfo(np.int32).max else np.intp
        at = np.arange(total, dtype=index) + np.repeat((starts - (ends - lens)).astype(index), lens)
        return self.values[at], lens


def _key_type(shape: tuple[int, int]) -> type[np.signedinteger[Any]]:
    """An integer type for ``row * n_cols + col`` keys of a matrix of this shape."""
    return np.int32 if (shape[0] + 1) * shape[1] <= np.iinfo(np.int32).max else np.int64


def _count_matrix(keys: np.ndarray, shape: tuple[int, int], dtype: Any) -> sp.csr_matrix:
    """The CSR matrix counting each ``row * n_cols + col`` key (of :func:`_key_type`; sorted
    in place), columns in order within each row: what scikit-learn's ``_count_vocab`` returns."""
    n_rows, n_cols = shape
    key_type = keys.dtype.type
    keys.sort()
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    first = np.flatnonzero(new)
    counts = np.diff(first, append=len(keys))
    keys = keys[first]
    indptr = np.searchsorted(keys, np.arange(n_rows + 1, dtype=key_type) * key_type(n_cols))
    index = np.int32 if len(keys) <= np.iinfo(np.int32).max else np.int64
    X = sp.csr_matrix((counts.astype(dtype), (keys % key_type(n_cols)).astype(index), indptr.astype(index)),
                      shape=shape, dtype=dtype)
    X.has_sorted_indices = True
    X.has_canonical_format = True
    return X


@dataclass
class _CharTable:
    vocab: dict[str, int]
    runs: _Runs


@dataclass
class _WordTable:
    vocab: dict[str, int]
    ngram_range: tuple[int, int]
    runs: _Runs  # token numbers of each word's tokens, -1 for a token no feature uses
    n_tokens: int
    unigram: np.ndarray  # column of each token number's unigram, -1 if none
    bigrams: np.ndarray  # first * n_tokens + second token number of each bigram, sorted
    bigram_cols: np.ndarray


def _char_table(vocab: dict[str, int], words: _Words) -> _CharTable:
    codes = _GramCodes(vocab)
    if codes.usable:
        return _CharTable(vocab, _Runs(words, codes.columns))
    get = vocab.get

    def columns(new_words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The columns of the words' :func:`_char_ngrams` in the vocabulary, one by one."""
        return _flat([[c for c in map(get, _char_ngrams(w)) if c is not None] for w in new_words])

    return _CharTable(vocab, _Runs(words, columns))


class _GramCodes:
    """The character 2–4-grams of a vocabulary as integers, to find the known n-grams of
    many new words with array operations instead of a dictionary lookup per n-gram.

    Each character of the vocabulary's n-grams gets a digit ``1..A`` (0: any other
    character, which no vocabulary n-gram holds); an n-gram of ``k`` characters is the
    number with those digits in base ``A + 1``, plus an offset per ``k`` so that lengths
    never collide. A word's n-grams are the windows of 2, 3 and 4 characters inside ``" word
    "`` (scikit-learn's ``char_wb``: a padded word of 3 characters has no 4-gram), each
    looked up in an open-addressing hash table of the vocabulary's codes. ``usable`` is false
    when the vocabulary holds other n-grams or too many characters for 64-bit codes."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.digits = CharDigits(c for term in vocab for c in term)
        b = self.base = self.digits.base
        self.offsets = {2: 0, 3: b ** 2, 4: b ** 2 + b ** 3}
        self.usable = all(2 <= len(t) <= 4 for t in vocab) and b ** 2 + b ** 3 + b ** 4 < 2 ** 62
        if self.usable:
            digit = self.digits.digit()
            codes = [self.offsets[len(t)] + sum(digit[c] * b ** (len(t) - 1 - i) for i, c in enumerate(t))
                     for t in vocab]
            self._build_table(codes, list(vocab.values()))

    def _build_table(self, codes: list[int], cols: list[int]) -> None:
        """An open-addressing hash table of the codes (a quarter full, linear probing), so
        looking up many keys is a few vectorized gathers."""
        bits = max(4, (4 * len(codes)).bit_length())
        self.shift = np.uint64(64 - bits)
        size = 1 << bits
        keys = np.full(size, -1, dtype=np.int64)
        vals = np.full(size, -1, dtype=np.int64)
        slots = self._slots(np.asarray(codes, dtype=np.int64)).tolist()
        probes = 1
        for code, col, slot in zip(codes, cols, slots, strict=True):
            n = 1
            while keys[slot] != -1:
                slot = (slot + 1) & (size - 1)
                n += 1
            keys[slot], vals[slot] = code, col
            probes = max(probes, n)
        self.keys, self.vals, self.mask, self.probes = keys, vals, size - 1, probes

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        return ((codes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> self.shift).astype(np.int64)

    def _lookup(self, codes: np.ndarray) -> np.ndarray:
        """The column of each code, -1 where the vocabulary has none."""
        out = np.full(len(codes), -1, dtype=np.int64)
        todo = np.arange(len(codes))
        slot = self._slots(codes)
        for _ in range(self.probes):
            if not len(todo):
                break
            stored = self.keys[slot]
            hit = stored == codes[todo]
            out[todo[hit]] = self.vals[slot[hit]]
            again = ~hit & (stored != -1)  # an occupied slot with another code: look further
            todo, slot = todo[again], (slot[again] + 1) & self.mask
        return out

    def columns(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary columns of the words' n-grams, word by word (unknown n-grams
        left out), and how many per word (``usable`` vocabularies only)."""
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        ends = np.cumsum(sizes)
        digits = self.digits.of("".join(f" {w} " for w in words))
        word_of = np.repeat(np.arange(len(words)), sizes)
        n = len(digits)
        b = self.base
        found_words, found_cols = [], []
        code = digits.copy()
        for k in (2, 3, 4):
            m = n - k + 1
            if m <= 0:
                break
            code = code[:m] * b + digits[k - 1:k - 1 + m]  # the k characters from each position
            inside = np.arange(m) + k <= ends[word_of[:m]]
            cols = self._lookup(code[inside] + self.offsets[k])
            hit = cols >= 0
            found_words.append(word_of[:m][inside][hit])
            found_cols.append(cols[hit])
        w = np.concatenate(found_words) if found_words else np.zeros(0, dtype=np.intp)
        c = np.concatenate(found_cols) if found_cols else np.zeros(0, dtype=np.int64)
        order = np.argsort(w, kind="stable")
        return c[order].astype(np.int32), np.bincount(w, minlength=len(words)).astype(np.intp)


def _word_table(vocab: dict[str, int], ngram_range: tuple[int, int], words: _Words) -> _WordTable:
    tokens: dict[str, int] = {}
    unigram: list[tuple[int, int]] = []
    bigram: list[tuple[int, int, int]] = []
    for term, col in vocab.items():
        parts = term.split(" ")
        nums = [tokens.setdefault(p, len(tokens)) for p in parts]
        if len(nums) == 1:
            unigram.append((nums[0], col))
        elif len(nums) == 2:
            bigram.append((nums[0], nums[1], col))
    n = len(tokens)
    uni = np.full(n, -1, dtype=np.int64)
    for t, col in unigram:
        uni[t] = col
    codes = np.asarray([a * n + b for a, b, _ in bigram], dtype=np.int64)
    cols = np.asarray([c for _, _, c in bigram], dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    get = tokens.get

    def token_numbers(new_words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The numbers of the words' tokens, -1 for a token no feature uses."""
        return _flat([list(map(get, _TOKENS.findall(w), repeat(-1))) for w in new_words])

    runs = _Runs(words, token_numbers)
    return _WordTable(vocab, ngram_range, runs, n, uni, codes[order], cols[order])


def _count_chars(vec: FastTfidfVectorizer, docs: list[str]) -> sp.csr_matrix:
    words, nums, ends = _word_numbers(docs)
    table = _TABLES.get(vec)
    if not isinstance(table, _CharTable) or table.vocab is not vec.vocabulary_ or table.runs.words is not words:
        table = _TABLES[vec] = _char_table(vec.vocabulary_, words)
    table.runs.update()
    shape = (len(docs), len(vec.vocabulary_))
    key_type = _key_type(shape)
    cols, lens = table.runs.gather(nums)
    keys = cols.astype(key_type, copy=False)
    keys += np.repeat(np.repeat(np.arange(shape[0], dtype=key_type) * key_type(shape[1]), np.diff(ends)), lens)
    return _count_matrix(keys, shape, vec.dtype)


def _count_words(vec: FastTfidfVectorizer, docs: list[str]) -> sp.csr_matrix:
    words, nums, ends = _word_numbers(docs)
    table = _TABLES.get(vec)
    if (not isinstance(table, _WordTable) or table.vocab is not vec.vocabulary_
            or table.ngram_range != tuple(vec.ngram_range) or table.runs.words is not words):
        table = _TABLES[vec] = _word_table(vec.vocabulary_, tuple(vec.ngram_range), words)
    table.runs.update()
    toks, lens = table.runs.gather(nums)
    bounds = np.concatenate(([0], np.cumsum(lens)))[ends]
    doc = np.repeat(np.arange(len(docs)), np.diff(bounds))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    min_n, max_n = table.ngram_range
    if min_n == 1:
        known = toks >= 0
        c = table.unigram[toks[known]]
        used = c >= 0
        rows.append(doc[known][used])
        cols.append(c[used])
    if max_n == 2 and len(table.bigrams) and len(toks) > 1:
        first, second = toks[:-1], toks[1:]
        pair = (first >= 0) & (second >= 0) & (doc[:-1] == doc[1:])
        codes = first[pair].astype(np.int64) * table.n_tokens + second[pair]
        pair_rows = doc[:-1][pair]
        n_docs = len(docs)
        if table.n_tokens ** 2 * n_docs < 2 ** 62:  # sorted codes are looked up much faster
            code_row = codes * n_docs + pair_rows
            code_row.sort()
            codes, pair_rows = np.divmod(code_row, n_docs)
        at = np.minimum(np.searchsorted(table.bigrams, codes), len(table.bigrams) - 1)
        found = table.bigrams[at] == codes
        rows.append(pair_rows[found])
        cols.append(table.bigram_cols[at[found]])
    shape = (len(docs), len(vec.vocabulary_))
    key_type = _key_type(shape)
    keys = [r.astype(key_type) * key_type(shape[1]) + c.astype(key_type) for r, c in zip(rows, cols, strict=True)]
    return _count_matrix(np.concatenate(keys) if keys else np.zeros(0, dtype=key_type), shape, vec.dtype)


class FastTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` with the same fit and the same output whose transform counts
    known features with array operations, for two settings: ``analyzer=analyze_chars``, and
    word n-grams (``ngram_range`` (1, 1), (1, 2) or (2, 2)) with ``preprocessor=ngram_text``
    and scikit-learn's default tokenization (token pattern, no tokenizer, no stop words).
    Each word's features are found once and reused across posts. Any other setting, and
    fitting, is scikit-learn's own code. Used at scoring time, where scikit-learn's
    per-feature loop was most of the model's cost on long job ads."""

    def _fast_counting(self) -> Callable[[FastTfidfVectorizer, list[str]], sp.csr_matrix] | None:
        if self.input != "content":
            return None
        if self.analyzer is analyze_chars:
            return _count_chars
        if (self.analyzer == "word" and self.preprocessor is ngram_text and self.tokenizer is None
                and self.token_pattern == WORD_PATTERN and self.stop_words is None
                and tuple(self.ngram_range) in ((1, 1), (1, 2), (2, 2))):
            return _count_words
        return None

    def _count_vocab(self, raw_documents: Any, fixed_vocab: bool) -> Any:
        count = self._fast_counting() if fixed_vocab else None
        if count is not None:
            docs = raw_documents if isinstance(raw_documents, list) else list(raw_documents)
            if all(isinstance(d, str) for d in docs):
                return self.vocabulary_, count(self, docs)
            raw_documents = docs
        return super()._count_vocab(raw_documents, fixed_vocab)


#: per vectorizer, its per-word table (weakly keyed, so never persisted and gone with the
#: vectorizer), checked against the vocabulary and word numbering it was built from
_TABLES: weakref.WeakKeyDictionary[FastTfidfVectorizer, _CharTable | _WordTable] = weakref.WeakKeyDictionary()


class SignalFeatures(TransformerMixin, BaseEstimator):
    """Per-indicator summed hit weights (capped; a context indicator such as CTX-WARN, whose
    hits weigh 0, counts its hits) plus log-counts of identifier types and the log length of
    the text.

    Stateless apart from ``indicator_ids_`` (the catalogue at fit time, so a model keeps its
    columns when the catalogue grows).
    """

    def __init__(self, cap: float = 3.0) -> None:
        self.cap = cap

    def fit(self, X: Iterable[str], y: Any = None) -> SignalFeatures:
        from pipeline.stages.indicators import load_indicators

        self.indicator_ids_ = [ind.id for ind in load_indicators()]
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        index = {iid: i for i, iid in enumerate(self.indicator_ids_)}
        n_ind = len(index)
        n_ent = len(ENTITY_TYPES)
        out = np.zeros((len(X), n_ind + n_ent + 1), dtype=np.float64)
        for r, text in enumerate(X):
            sig = signals_of(text)
            row = out[r]
            for iid, weight in sig.hits:
                j = index.get(iid)
                if j is not None:  # a context hit (warning/news) weighs 0: count it instead
                    row[j] += weight if weight else 1.0
            for etype in sig.entity_types:
                if etype in ENTITY_TYPES:
                    row[n_ind + ENTITY_TYPES.index(etype)] += 1
            row[-1] = np.log1p(len(text)) / 10.0
        np.clip(out[:, :n_ind], -self.cap, self.cap, out=out[:, :n_ind])
        out[:, n_ind:n_ind + n_ent] = np.log1p(out[:, n_ind:n_ind + n_ent])
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = [f"ind:{i}" for i in self.indicator_ids_] + [f"ent:{t}" for t in ENTITY_TYPES]
        return np.asarray([*names, "len"], dtype=object)
