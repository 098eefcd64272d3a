"""Feature code shared by the score stage and model training.

The classifier's input is one string per post, :func:`model_text` (normalized title and
text); :class:`SignalFeatures` turns it into indicator weights and identifier counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.stages.extract import find_identifiers
from pipeline.stages.indicators import indicator_hits, load_indicators
from pipeline.textnorm import normalize_text

ENTITY_TYPES = ("phone", "telegram", "whatsapp", "email", "url")


def model_text(title: str | None, text: str) -> str:
    """What the classifier reads: normalized title, newline, normalized text."""
    body = normalize_text(text).text
    return f"{normalize_text(title).text}\n{body}" if title else body


@lru_cache(maxsize=50_000)
def _signals(text: str) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
    """Indicator (id, weight) hits and identifier types of a text (cached: training
    transforms the same texts once per fold)."""
    hits = tuple((h.id, h.weight) for h in indicator_hits(text))
    return hits, tuple(etype for etype, *_ in find_identifiers(text))


_MASKS = (
    (re.compile(r"(?:https?://|www\.)\S+", re.I), " urltoken "),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " emailtoken "),
    (re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}"), " handletoken "),
    (re.compile(r"\b[\w-]+\.(?:example|com|net|org|vn|th|ph|kh|my|id|sg|co)\b(?:/\S*)?", re.I), " domaintoken "),
)


def ngram_text(text: str) -> str:
    """Text for the n-gram features: lower-cased, with URLs, e-mails, handles and domain
    names replaced by placeholder words so the model learns phrasing, not addresses (which
    the identifier features count)."""
    t = text.lower()
    for rx, repl in _MASKS:
        t = rx.sub(repl, t)
    return t


class SignalFeatures(TransformerMixin, BaseEstimator):
    """Per-indicator summed hit weights (capped) plus log-counts of identifier types.

    Stateless apart from ``indicator_ids_`` (the catalogue at fit time, so a model keeps its
    columns when the catalogue grows).
    """

    def __init__(self, cap: float = 3.0) -> None:
        self.cap = cap

    def fit(self, X: Iterable[str], y: Any = None) -> SignalFeatures:
        self.indicator_ids_ = [ind.id for ind in load_indicators()]
        self.n_features_in_ = 1
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        index = {iid: i for i, iid in enumerate(self.indicator_ids_)}
        n_ind = len(index)
        rows = []
        for text in X:
            row = np.zeros(n_ind + len(ENTITY_TYPES) + 1, dtype=np.float64)
            hits, etypes = _signals(text)
            for iid, weight in hits:
                j = index.get(iid)
                if j is not None:
                    row[j] += weight
            np.clip(row[:n_ind], -self.cap, self.cap, out=row[:n_ind])
            for etype in etypes:
                if etype in ENTITY_TYPES:
                    row[n_ind + ENTITY_TYPES.index(etype)] += 1
            row[n_ind:n_ind + len(ENTITY_TYPES)] = np.log1p(row[n_ind:n_ind + len(ENTITY_TYPES)])
            row[-1] = np.log1p(len(text)) / 10.0
            rows.append(row)
        return np.vstack(rows) if rows else np.zeros((0, n_ind + len(ENTITY_TYPES) + 1))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = [f"ind:{i}" for i in self.indicator_ids_] + [f"ent:{t}" for t in ENTITY_TYPES]
        return np.asarray([*names, "len"], dtype=object)
