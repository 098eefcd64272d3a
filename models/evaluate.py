"""Evaluation that cannot flatter (``lurewatch train`` and ``lurewatch evaluate``).

* **Held-out sets.** A fixed 20 % of near-duplicate groups of every data file (chosen by a
  hash of the group key, so the same rows every time and for every model) is never trained
  on. Models are compared on these sets (the promotion gate, :mod:`models.gate`).
* **Grouped cross-validation** of the training recipe on the rest: ``StratifiedGroupKFold``,
  near-duplicates in one group, out-of-fold probabilities; the flag threshold is chosen on
  them.
* **Per source and per language** metrics, and the **confound check**
  (:func:`confound_check`): the data's labels are confounded with language and region
  (../shared/data/README.md), so the model must not separate the classes by language alone.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from models.classifier import build_pipeline
from models.dataset import Example

Progress = Callable[[str], None]

#: Percent of near-duplicate groups held out of training in every data file.
HOLDOUT_PERCENT = 20

# Confound check limits (see confound_check).
MAX_LEGIT_FLAG_GAP = 0.15  # legit flag rate, any language against any other
MIN_WITHIN_LANG_PR_AUC = 0.75  # ranking inside one language
MIN_GAIN_OVER_LANGUAGE = 0.10  # PR-AUC above a predictor that only knows the language
MIN_LEGIT_PER_LANG = 8
MIN_SCAM_PER_LANG = 5


def in_holdout(group: str) -> bool:
    digest = hashlib.sha256(group.encode()).hexdigest()
    return int(digest[:8], 16) % 100 < HOLDOUT_PERCENT


def holdout_mask(examples: Sequence[Example]) -> np.ndarray:
    """True for held-out examples; a group is wholly on one side."""
    return np.array([in_holdout(e.group) for e in examples], dtype=bool)


def split_holdout(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(training examples, held-out examples); a group is wholly on one side."""
    mask = holdout_mask(examples)
    return ([e for e, m in zip(examples, mask, strict=True) if not m],
            [e for e, m in zip(examples, mask, strict=True) if m])


def primary_lang(lang: str) -> str:
    return lang.split("/")[0] or "und"


def metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Precision, recall, F1, flag rate, mean score, PR-AUC (both classes) and the
    confusion counts at ``threshold``."""
    y = np.asarray(y)
    p = np.asarray(p)
    pred = (p >= threshold).astype(int)
    prec, rec, f1, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    out: dict[str, Any] = {"n": int(len(y)), "positives": int(y.sum()),
                           "precision": round(float(prec), 4), "recall": round(float(rec), 4),
                           "f1": round(float(f1), 4),
                           "flag_rate": round(float(pred.mean()), 4) if len(y) else 0.0,
                           "mean_score": round(float(p.mean()), 4) if len(y) else 0.0,
                           "tp": int(((pred == 1) & (y == 1)).sum()), "fp": int(((pred == 1) & (y == 0)).sum()),
                           "fn": int(((pred == 0) & (y == 1)).sum()), "tn": int(((pred == 0) & (y == 0)).sum())}
    if 0 < y.sum() < len(y):
        out["pr_auc"] = round(float(average_precision_score(y, p)), 4)
    return out


def grouped(examples: Sequence[Example], p: np.ndarray, threshold: float, key: Callable[[Example], str]
            ) -> dict[str, dict[str, Any]]:
    y = np.array([e.label for e in examples])
    idx: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        idx[key(e)].append(i)
    return {name: metrics(y[ii], p[ii], threshold) for name, ii in sorted(idx.items())}


def by_set(examples: Sequence[Example], p: np.ndarray, threshold: float) -> dict[str, dict[str, Any]]:
    """Metrics for all examples (``"all"``) and per data file: the evaluation sets the
    promotion gate compares."""
    if not examples:
        return {}
    y = np.array([e.label for e in examples])
    return {"all": metrics(y, p, threshold), **grouped(examples, p, threshold, lambda e: e.origin)}


def report(examples: Sequence[Example], p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Metrics overall, per data file, per source and per language, and the confound check."""
    y = np.array([e.label for e in examples])
    return {"overall": metrics(y, p, threshold),
            "by_file": grouped(examples, p, threshold, lambda e: e.origin),
            "by_source": grouped(examples, p, threshold, lambda e: e.source),
            "by_lang": grouped(examples, p, threshold, lambda e: primary_lang(e.lang)),
            "confound": confound_check(examples, p, threshold)}


def choose_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """Threshold in [0.2, 0.9] maximising F1 on out-of-fold scores (ties → higher)."""
    best_t, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.2, 0.901, 0.01), 2):
        _, _, f1, _ = precision_recall_fscore_support(y, (p >= t).astype(int), average="binary",
                                                      zero_division=0)
        if f1 >= best_f1:
            best_t, best_f1 = float(t), float(f1)
    return best_t


def out_of_fold(examples: Sequence[Example], weights: np.ndarray, n_splits: int,
                progress: Progress, build: Callable[[], Pipeline] = build_pipeline) -> np.ndarray:
    """Out-of-fold probabilities of the training recipe (``build``), grouped by near-duplicate
    group."""
    X = [e.input for e in examples]
    y = np.array([e.label for e in examples])
    groups = [e.group for e in examples]
    oof = np.zeros(len(examples))
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=13)
    for k, (tr, te) in enumerate(cv.split(X, y, groups), 1):
        progress(f"fold {k}/{n_splits}: train {len(tr)}, test {len(te)}")
        model = build()
        model.fit([X[i] for i in tr], y[tr], clf__sample_weight=weights[tr])
        oof[te] = model.predict_proba([X[i] for i in te])[:, 1]
    return oof


def _pr_auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(average_precision_score(y, p)) if 0 < y.sum() < len(y) else None


def confound_check(examples: Sequence[Example], p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Does the model separate the classes by language alone? Three checks, each with the
    numbers behind it:

    1. ``legit_flag_gap``: among legitimate posts of one data file (so of one kind: the
       team's hard negatives, or the job boards' ordinary ads), the flag rate of each language
       with at least 8 of them (legitimate English ads must score like legitimate Thai ones);
       the largest gap, in any file, must be at most 0.15.
    2. ``within_language``: in each language with at least 5 posts of each class, PR-AUC of
       the scores *inside that language* must be at least 0.75 (a model that only knew the
       language would score the positive rate there).
    3. ``over_language_only``: overall PR-AUC must beat, by 0.10, a predictor whose score is
       the positive rate of the post's language (computed on these very rows, so the most
       the language alone could give).
    """
    y = np.array([e.label for e in examples])
    p = np.asarray(p)
    langs = np.array([primary_lang(e.lang) for e in examples])
    origins = np.array([e.origin for e in examples])
    legit: dict[str, dict[str, float]] = {}
    scam: dict[str, dict[str, float]] = {}
    within: dict[str, float] = {}
    legit_by_file: dict[str, dict[str, float]] = {}
    for lang in sorted({str(x) for x in langs}):
        m = langs == lang
        neg, pos = m & (y == 0), m & (y == 1)
        if neg.sum() >= MIN_LEGIT_PER_LANG:
            legit[lang] = {"n": int(neg.sum()), "flag_rate": round(float((p[neg] >= threshold).mean()), 4),
                           "mean_score": round(float(p[neg].mean()), 4)}
        if pos.sum() >= MIN_SCAM_PER_LANG:
            scam[lang] = {"n": int(pos.sum()), "recall": round(float((p[pos] >= threshold).mean()), 4),
                          "mean_score": round(float(p[pos].mean()), 4)}
        if neg.sum() >= MIN_SCAM_PER_LANG and pos.sum() >= MIN_SCAM_PER_LANG:
            within[lang] = round(float(average_precision_score(y[m], p[m])), 4)
        for origin in sorted({str(x) for x in origins}):
            neg_o = neg & (origins == origin)
            if neg_o.sum() >= MIN_LEGIT_PER_LANG:
                legit_by_file.setdefault(origin, {})[lang] = round(float((p[neg_o] >= threshold).mean()), 4)
    checks: dict[str, dict[str, Any]] = {}
    gaps = []
    for origin, rates in legit_by_file.items():  # same file: same kind of legitimate posts
        if len(rates) >= 2:
            hi, lo = max(rates, key=rates.__getitem__), min(rates, key=rates.__getitem__)
            gaps.append((round(rates[hi] - rates[lo], 4), origin, hi, lo))
    if gaps:
        gap, origin, hi, lo = max(gaps)
        checks["legit_flag_gap"] = {"passed": gap <= MAX_LEGIT_FLAG_GAP, "gap": gap, "file": origin,
                                    "highest": hi, "lowest": lo, "limit": MAX_LEGIT_FLAG_GAP}
    if within:
        worst = min(within, key=within.__getitem__)
        checks["within_language"] = {"passed": within[worst] >= MIN_WITHIN_LANG_PR_AUC,
                                     "worst": worst, "pr_auc": within[worst], "limit": MIN_WITHIN_LANG_PR_AUC}
    base = np.zeros(len(y))
    for lang in {str(x) for x in langs}:
        m = langs == lang
        base[m] = y[m].mean()
    model_auc, lang_auc = _pr_auc(y, p), _pr_auc(y, base)
    if model_auc is not None and lang_auc is not None:
        checks["over_language_only"] = {"passed": model_auc - lang_auc >= MIN_GAIN_OVER_LANGUAGE,
                                        "model_pr_auc": round(model_auc, 4),
                                        "language_only_pr_auc": round(lang_auc, 4),
                                        "limit": MIN_GAIN_OVER_LANGUAGE}
    return {"passed": bool(checks) and all(c["passed"] for c in checks.values()), "checks": checks,
            "legit_by_lang": legit, "legit_by_file": legit_by_file, "scam_by_lang": scam,
            "within_lang_pr_auc": within}


def describe_confound(c: dict[str, Any]) -> list[str]:
    """The confound check in sentences (for the CLI and the card)."""
    lines = []
    ch = c["checks"]
    if "legit_flag_gap" in ch:
        g = ch["legit_flag_gap"]
        lines.append(f"{'PASS' if g['passed'] else 'FAIL'} legitimate posts are flagged alike in every "
                     f"language: largest gap {g['gap']:.2f} ({g['highest']} vs {g['lowest']} in {g['file']}), "
                     f"limit {g['limit']:.2f}")
    if "within_language" in ch:
        w = ch["within_language"]
        lines.append(f"{'PASS' if w['passed'] else 'FAIL'} ranks scams above legitimate posts inside each "
                     f"language: worst PR-AUC {w['pr_auc']:.2f} ({w['worst']}), limit {w['limit']:.2f}")
    if "over_language_only" in ch:
        o = ch["over_language_only"]
        lines.append(f"{'PASS' if o['passed'] else 'FAIL'} beats a language-only predictor: PR-AUC "
                     f"{o['model_pr_auc']:.2f} vs {o['language_only_pr_auc']:.2f}, needed +{o['limit']:.2f}")
    if not ch:
        lines.append("NOT RUN: too few examples per language for the confound check")
    return lines
