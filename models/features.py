"""What the classifier reads about a post, and the features made from it.

The classifier's input is one :class:`ModelInput` per post: the post's normalized title and
text (``Record.norm_text``, :attr:`pipeline.signals.PostSignals.analysis_text`) with the
indicator hits and identifier types :func:`pipeline.signals.post_signals` found in it. The
score stage builds it from a record (:meth:`ModelInput.of_record`), ``lurewatch score`` and
training from the post's signals (:meth:`ModelInput.of_signals`): the same fields either way.

Text features: word 1–2-grams and within-word character 2–4-grams (:func:`analyze_chars`)
over :func:`ngram_text`, counted by :class:`models.tfidf.FastTfidfVectorizer`; signal
features: :class:`SignalFeatures`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

if TYPE_CHECKING:
    from pipeline.records import Entity, IndicatorHit, Record
    from pipeline.signals import PostSignals

#: The identifier types the model reads (counted by :class:`SignalFeatures`).
ENTITY_TYPES = ("phone", "telegram", "whatsapp", "email", "url")


@dataclass(frozen=True)
class ModelInput:
    """One post as the classifier reads it: ``text`` (normalized title, newline, normalized
    text), indicator ``(id, weight)`` hits after combination and context rules, and the types
    of the identifiers found, those of :data:`ENTITY_TYPES` only."""

    text: str
    hits: tuple[tuple[str, float], ...] = ()
    entity_types: tuple[str, ...] = ()

    @classmethod
    def of(cls, text: str, indicators: Iterable[IndicatorHit], entities: Iterable[Entity]) -> ModelInput:
        return cls(text, tuple((h.id, h.weight) for h in indicators),
                   tuple(e.type for e in entities if e.type in ENTITY_TYPES))

    @classmethod
    def of_signals(cls, signals: PostSignals) -> ModelInput:
        return cls.of(signals.analysis_text, signals.indicators, signals.entities)

    @classmethod
    def of_record(cls, record: Record) -> ModelInput:
        """The input of a record the signals stage has enriched (raises ValueError if not)."""
        if record.norm_text is None or "indicators" not in record.stages:
            raise ValueError(f"record {record.id} has no signals yet: run the signals stage before scoring")
        return cls.of(record.norm_text, record.indicators, record.entities)


def text_of(doc: ModelInput | str) -> str:
    return doc.text if isinstance(doc, ModelInput) else doc


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


def ngram_text(doc: ModelInput | str) -> str:
    """Text for the n-gram features: lower-cased, with URLs, e-mails, handles and domain
    names replaced by placeholder words so the model learns phrasing, not addresses (which
    the identifier features count). A plain function: the model file refers to it by name."""
    t = text_of(doc).lower()
    for rx, repl, may_match in _MASKS:
        if may_match(t):
            t = rx.sub(repl, t)
    return t


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


def char_ngrams(word: str) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams (2–4) of one whitespace-delimited word."""
    w = f" {word} "
    return list(map(w.__getitem__, _gram_slices(len(w))))


def analyze_chars(doc: ModelInput | str) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer (character 2–4-grams inside whitespace-delimited
    words padded with a space) over :func:`ngram_text` (what fitting uses; scoring counts the
    same n-grams word by word, see :mod:`models.tfidf`)."""
    out: list[str] = []
    for word in ngram_text(doc).split():
        out.extend(char_ngrams(word))
    return out


# ---------------------------------------------------------------- signal features


class SignalFeatures(TransformerMixin, BaseEstimator):
    """Per-indicator summed hit weights (capped; a context indicator such as CTX-WARN, whose
    hits weigh 0, counts its hits) plus log-counts of identifier types and the log length of
    the text, from :class:`ModelInput` rows.

    Stateless apart from ``indicator_ids_`` (the catalogue at fit time, so a model keeps its
    columns when the catalogue grows).
    """

    def __init__(self, cap: float = 3.0) -> None:
        self.cap = cap

    def fit(self, X: Iterable[ModelInput], y: Any = None) -> SignalFeatures:
        from pipeline.indicators import load_indicators

        self.indicator_ids_ = [ind.id for ind in load_indicators()]
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[ModelInput]) -> np.ndarray:
        index = {iid: i for i, iid in enumerate(self.indicator_ids_)}
        n_ind = len(index)
        n_ent = len(ENTITY_TYPES)
        out = np.zeros((len(X), n_ind + n_ent + 1), dtype=np.float64)
        for r, doc in enumerate(X):
            if not isinstance(doc, ModelInput):
                raise TypeError(f"the classifier reads ModelInput rows (models.features), not {type(doc).__name__}")
            row = out[r]
            for iid, weight in doc.hits:
                j = index.get(iid)
                if j is not None:  # a context hit (warning/news) weighs 0: count it instead
                    row[j] += weight if weight else 1.0
            for etype in doc.entity_types:
                if etype in ENTITY_TYPES:
                    row[n_ind + ENTITY_TYPES.index(etype)] += 1
            row[-1] = np.log1p(len(doc.text)) / 10.0
        np.clip(out[:, :n_ind], -self.cap, self.cap, out=out[:, :n_ind])
        out[:, n_ind:n_ind + n_ent] = np.log1p(out[:, n_ind:n_ind + n_ent])
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = [f"ind:{i}" for i in self.indicator_ids_] + [f"ent:{t}" for t in ENTITY_TYPES]
        return np.asarray([*names, "len"], dtype=object)
