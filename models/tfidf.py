"""``FastTfidfVectorizer``: scikit-learn's ``TfidfVectorizer`` with the same fit and the
same output, whose transform counts known features word by word from per-word caches.

Both of the classifier's vectorizers read the whitespace-delimited words of
:func:`~models.features.ngram_text`: the character n-grams never cross them, and neither do
the word tokens (scikit-learn's token pattern matches runs of word characters, and no
whitespace character is one; tested), so a post's tokens are its words' tokens in order.
Each distinct word gets a number (:class:`_Words`); per vectorizer a :class:`_Runs` table
holds, per word number, the word's feature columns (character n-grams) or its token numbers
(word n-grams), computed once when the word is first seen. A batch is then counted with array
operations: gather the runs of its words, look up unigrams and adjacent-token bigrams, and
count (row, column) pairs with one sort, which also orders each row's columns as
scikit-learn does. Equality with scikit-learn's matrices is tested bit for bit.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from models.features import ModelInput, analyze_chars, char_ngrams, ngram_text

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


def _word_numbers(docs: list[ModelInput | str]) -> tuple[_Words, np.ndarray, np.ndarray]:
    """The numbers of every document's words (of :func:`ngram_text`), all documents one
    after the other, and where each document's start (``len(docs) + 1`` offsets)."""
    global _WORDS
    words = _WORDS
    if len(words.words) >= _WORDS_MAX:  # start afresh rather than grow without bound
        words = _WORDS = _Words()
    number = words.__getitem__
    nums: list[int] = []
    ends = [0]
    for doc in docs:
        nums.extend(map(number, ngram_text(doc).split()))
        ends.append(len(nums))
    return words, np.asarray(nums, dtype=np.intp), np.asarray(ends, dtype=np.intp)


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
    get = vocab.get

    def columns(new_words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The columns of the words' :func:`~models.features.char_ngrams` in the vocabulary."""
        return _flat([[c for c in map(get, char_ngrams(w)) if c is not None] for w in new_words])

    return _CharTable(vocab, _Runs(words, columns))


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


def _count_chars(vec: FastTfidfVectorizer, docs: list[ModelInput | str]) -> sp.csr_matrix:
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


def _count_words(vec: FastTfidfVectorizer, docs: list[ModelInput | str]) -> sp.csr_matrix:
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

    def _fast_counting(self) -> Callable[[FastTfidfVectorizer, list[Any]], sp.csr_matrix] | None:
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
            if all(isinstance(d, ModelInput | str) for d in docs):
                return self.vocabulary_, count(self, docs)
            raw_documents = docs
        return super()._count_vocab(raw_documents, fixed_vocab)


#: per vectorizer, its per-word table (weakly keyed, so never persisted and gone with the
#: vectorizer), checked against the vocabulary and word numbering it was built from
_TABLES: weakref.WeakKeyDictionary[FastTfidfVectorizer, _CharTable | _WordTable] = weakref.WeakKeyDictionary()

