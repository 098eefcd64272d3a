"""Scores with explanations: each post's top contributing features, in words.

The classifier is a logistic regression over a FeatureUnion (models/classifier.py), calibrated
with a monotone sigmoid, so a feature's contribution to the post's log-odds is its value times
the regression coefficient (averaged over the calibration folds). Contributions are grouped
into what an investigator can read:

* ``indicator``: one indicator of the catalogue (its label and the evidence found);
* ``identifier``: the presence of a kind of contact (Telegram handle, phone…);
* ``phrase``: a word or two-word phrase of the text;
* ``style``: all character n-grams together (spelling, script, symbols);
* ``length``: the length of the post.

The largest contributions by absolute value are returned, each with its sign ("raises" or
"lowers" the score).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

_ENTITY_WORDS = {
    "phone": "gives a phone number",
    "telegram": "gives a Telegram handle or link",
    "whatsapp": "gives a WhatsApp contact",
    "email": "gives an e-mail address",
    "url": "gives a link",
}
_MASK_WORDS = {"urltoken": "<link>", "emailtoken": "<e-mail>", "handletoken": "<@handle>",
               "domaintoken": "<domain>"}


#: SignalFeatures' length feature for a 500-character post
_TYPICAL_LEN = float(np.log1p(500) / 10.0)


@dataclass
class Contribution:
    kind: str  # indicator | identifier | phrase | style | length
    feature: str  # indicator id, entity type, the phrase, "char n-grams", "length"
    contribution: float  # to the log-odds of the uncalibrated regression
    text: str  # the same in words
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "feature": self.feature,
                             "contribution": round(self.contribution, 4), "text": self.text}
        if self.evidence:
            d["evidence"] = self.evidence
        return d


@lru_cache(maxsize=8)
def _labels() -> dict[str, str]:
    from pipeline.indicators import load_indicators

    return {ind.id: ind.label for ind in load_indicators()}


def coefficients(pipeline: Pipeline) -> np.ndarray:
    """The regression coefficients, averaged over the calibration folds."""
    clf = pipeline.named_steps["clf"]
    return np.mean([cc.estimator.coef_[0] for cc in clf.calibrated_classifiers_], axis=0)


@lru_cache(maxsize=8)
def _names(pipeline: Pipeline) -> tuple[np.ndarray, np.ndarray]:
    """Feature names and their kind codes (0 word, 1 char, 2 signals) of a fitted pipeline."""
    union = pipeline.named_steps["features"]
    names, kinds = [], []
    for code, (_name, step) in enumerate(union.transformer_list):
        out = list(step.get_feature_names_out())
        names += out
        kinds += [code] * len(out)
    return np.asarray(names, dtype=object), np.asarray(kinds)


def _describe(name: str, value: float, evidence: dict[str, list[str]]) -> Contribution:
    if name.startswith("ind:"):
        iid = name[4:]
        label = _labels().get(iid, iid)
        ev = evidence.get(iid, [])
        quoted = "; ".join(f"“{e}”" for e in ev[:3])
        return Contribution("indicator", iid, value, f"{iid} {label}" + (f": {quoted}" if quoted else ""), ev[:3])
    if name.startswith("ent:"):
        etype = name[4:]
        return Contribution("identifier", etype, value, _ENTITY_WORDS.get(etype, f"gives a {etype}"))
    if name == "len":
        return Contribution("length", "length", value, "length of the post (against a 500-character one)")
    words = " ".join(_MASK_WORDS.get(w, w) for w in name.split(" "))
    return Contribution("phrase", name, value, f"the words “{words}”")


def explain_rows(pipeline: Pipeline, features: Any, evidence: Sequence[dict[str, list[str]]],
                 top: int = 5) -> list[list[Contribution]]:
    """Top ``top`` contributions of each row of ``features`` (the FeatureUnion's output for
    the posts), largest absolute value first. ``evidence`` maps indicator ids to evidence
    strings per post."""
    coef = coefficients(pipeline)
    names, kinds = _names(pipeline)
    at = np.nonzero((names == "len") & (kinds == 2))[0]  # the signal, not a word "len"
    len_col = int(at[0]) if len(at) else -2
    X = features.tocsr() if hasattr(features, "tocsr") else np.asarray(features)
    out: list[list[Contribution]] = []
    for r in range(X.shape[0]):
        if hasattr(X, "indptr"):
            cols = X.indices[X.indptr[r]:X.indptr[r + 1]]
            vals = X.data[X.indptr[r]:X.indptr[r + 1]] * coef[cols]
        else:
            cols = np.nonzero(X[r])[0]
            vals = X[r, cols] * coef[cols]
        char_mask = kinds[cols] == 1
        style = float(vals[char_mask].sum())
        entries: list[tuple[float, int]] = [(style, -1)] if style else []  # -1: the character n-grams
        rest = ~char_mask
        rcols, rvals = cols[rest], vals[rest]
        if len(rcols) > 4 * top:  # only the largest can make the top: look at just those
            keep = np.argpartition(-np.abs(rvals), 4 * top)[:4 * top]
            keep = np.union1d(keep, np.nonzero(rcols == len_col)[0])  # its value is re-centred below
            rcols, rvals = rcols[keep], rvals[keep]
        for j, v in zip(rcols.tolist(), rvals.tolist(), strict=True):
            if j == len_col:  # relative to a typical post, not to an empty one
                v -= coef[j] * _TYPICAL_LEN
            if v:
                entries.append((float(v), j))
        entries.sort(key=lambda e: -abs(e[0]))  # stable: ties keep their order
        items = [Contribution("style", "char n-grams", v, "character patterns together (spelling, script, symbols)")
                 if j < 0 else _describe(str(names[j]), v, evidence[r]) for v, j in entries[:top]]
        out.append(items)
    return out


def summary(score: float, flagged: bool, items: Sequence[Contribution]) -> str:
    """One sentence: the score and what raised and lowered it most."""
    up = [c.text for c in items if c.contribution > 0][:3]
    down = [c.text for c in items if c.contribution < 0][:2]
    s = f"score {score:.2f} ({'flagged' if flagged else 'not flagged'})"
    if up:
        s += "; raised most by " + "; ".join(up)
    if down:
        s += "; lowered most by " + "; ".join(down)
    return s
