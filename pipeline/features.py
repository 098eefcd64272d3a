"""Feature code shared by the score stage, ``lurewatch score`` and model training.

The classifier's input is one string per post, :func:`model_input`: the normalized title
and text as a :class:`ModelText`, a ``str`` that also carries the post's :class:`Signals`
(indicator hits and identifier types). The pipeline's indicators and extract stages have
already found those, so the score stage passes them in (:func:`record_signals`) instead of
finding them again; training computes them with :func:`post_signals`, the same functions
the stages run. A plain ``str`` still works: its signals are then computed from it.

Text features: word 1–2-grams and within-word character 2–4-grams (:func:`analyze_chars`,
counted fast at scoring time by :class:`FastTfidfVectorizer`) over :func:`ngram_text`.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.textnorm import normalize_text

if TYPE_CHECKING:
    from pipeline.records import IndicatorHit, Record

ENTITY_TYPES = ("phone", "telegram", "whatsapp", "email", "url")


@dataclass(frozen=True)
class Signals:
    """What the signal stages found in a post: indicator ``(id, weight)`` hits (after
    combination and context rules) and the types of identifiers found."""

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


def find_signals(title: str | None, text: str, lang: str | None = None,
                 region: str | None = None) -> tuple[Signals, list[IndicatorHit]]:
    """:func:`post_signals` and the indicator hits behind them (with spans and evidence)."""
    from pipeline.stages.extract import entities_for
    from pipeline.stages.indicators import _single_hits, finalize

    singles = _single_hits(title, "title") if title else []
    singles += _single_hits(text, "text")
    hits = finalize(singles)
    ents = entities_for(title, lang, "title", region) if title else []
    ents += entities_for(text, lang, "text", region)
    return Signals(tuple((h.id, h.weight) for h in hits), tuple(e.type for e in ents)), hits


def record_signals(record: Record) -> Signals:
    """Signals a record already carries from the indicators and extract stages."""
    return Signals(tuple((h.id, h.weight) for h in record.indicators),
                   tuple(e.type for e in record.entities))


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

_MASKS = (
    (re.compile(r"(?:https?://|www\.)\S+", re.I), " urltoken "),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " emailtoken "),
    (re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}"), " handletoken "),
    (re.compile(r"\b[\w-]+\.(?:example|com|net|org|vn|th|ph|kh|my|id|sg|co)\b(?:/\S*)?", re.I), " domaintoken "),
)
_QUICK_MASK = re.compile(r"[@.:]")

def ngram_text(text: str) -> str:
    """Text for the n-gram features: lower-cased, with URLs, e-mails, handles and domain
    names replaced by placeholder words so the model learns phrasing, not addresses (which
    the identifier features count). A plain function (the model file refers to it by name);
    results are cached because both vectorizers read the same posts."""
    return _ngram_text(text)


@lru_cache(maxsize=2048)
def _ngram_text(text: str) -> str:
    t = text.lower()
    if _QUICK_MASK.search(t) is None:
        return t
    for rx, repl in _MASKS:
        t = rx.sub(repl, t)
    return t


_CHAR_CACHE: dict[str, tuple[str, ...]] = {}
_CHAR_CACHE_MAX = 300_000


def _char_ngrams(word: str) -> tuple[str, ...]:
    """scikit-learn's ``char_wb`` n-grams (2–4) of one whitespace-delimited word."""
    w = f" {word} "
    out: list[str] = []
    for n in (2, 3, 4):
        if len(w) <= n:
            out.append(w)
            break
        out.extend(w[i:i + n] for i in range(len(w) - n + 1))
    return tuple(out)


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


class FastTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` with the same fit and the same output whose transform counts
    known features with array operations: for :func:`analyze_chars` each word's feature
    indices are computed once and reused across posts; for other analyzers features are
    looked up in one pass. Used at scoring time, where scikit-learn's per-feature loop
    was most of the model's cost on long job ads."""

    def _count_vocab(self, raw_documents: Any, fixed_vocab: bool) -> Any:
        if not fixed_vocab or self.analyzer is not analyze_chars:
            return super()._count_vocab(raw_documents, fixed_vocab)
        vocab = self.vocabulary_
        held = _WORD_INDEX_CACHE.get(self)
        if held is None or held[0] is not vocab or len(held[1]) >= _CHAR_CACHE_MAX:
            held = _WORD_INDEX_CACHE[self] = (vocab, {})
        cache = held[1]
        parts: list[np.ndarray] = []
        reps: list[int] = []
        indptr = [0]
        for doc in raw_documents:
            n = 0
            for word, count in Counter(ngram_text(doc).split()).items():
                ix = cache.get(word)
                if ix is None:
                    ix = cache[word] = np.asarray([vocab[g] for g in _char_ngrams(word) if g in vocab],
                                                  dtype=np.int32)
                if len(ix):
                    parts.append(ix)
                    reps.append(count)
                    n += len(ix)
            indptr.append(indptr[-1] + n)
        if parts:
            indices = np.concatenate(parts)
            data = np.repeat(np.asarray(reps, dtype=self.dtype), [len(p) for p in parts])
        else:
            indices, data = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=self.dtype)
        X = sp.csr_matrix((data, indices, np.asarray(indptr, dtype=np.int64)),
                          shape=(len(indptr) - 1, len(vocab)), dtype=self.dtype)
        X.sum_duplicates()
        return vocab, X


#: feature indices per word, per vectorizer (weakly keyed, so never persisted and gone with
#: the vectorizer) and checked against the vocabulary it was built from
_WORD_INDEX_CACHE: weakref.WeakKeyDictionary[FastTfidfVectorizer, tuple[dict[str, int], dict[str, np.ndarray]]] = (
    weakref.WeakKeyDictionary())


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
