"""Leave-one-source-out evaluation (issue 13, item 2): how the training recipe does on a
source it has never seen.

A *source* is the ``source`` field of a row (default: the file's stem). For every real
source S, the recipe (:func:`models.classifier.build_pipeline`, sample weights as
``lurewatch train`` gives them) is fitted on the trainable rows of every other source and the
development data, **minus every row sharing a near-duplicate key with any row of S** (its
``group``, its raw split key, or the near-duplicate key of its normalized text), and scores
S's rows of the part asked for (:func:`models.frozen.part_mask`). Trainable real rows are the
development part of the split for ``dev`` and ``frozen`` (the same fitted models either way:
the frozen rows are never trained on) and every row for ``all``.

Development data (files ``seed*``, team-written) is never held out as a source: it is always
trained on, and its own figures come from grouped k-fold over its groups (each fold fitted on
the trainable real rows and the other development folds), reported apart.

Each fold sees its training rows in a fixed random order (``shuffle``). The recipe's
calibrator splits its rows into 3 folds in the order given, without shuffling; on rows
concatenated file by file each calibration fold then holds sources the classifier it
calibrates never saw, and the model collapses to the base rate (docs/evaluation.md has the
figures). ``lurewatch train`` still passes rows in file order.

The threshold of each fold comes from its training side only: a fixed one, or (``None``)
the recipe's own choice (:func:`models.evaluate.choose_threshold`) on grouped out-of-fold
scores of the fold's training rows, which costs ``inner_folds`` more fits per fold.

Folds are fitted in ``n_jobs`` processes (joblib; each fit single-threaded).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from models.classifier import build_pipeline
from models.dataset import Example, near_duplicate_key
from models.evaluate import choose_threshold, out_of_fold
from models.frozen import is_development, part_mask
from models.prevalence import MIN_ROWS, wilson

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Fold:
    name: str  # the held-out source, or "development k/K"
    train: np.ndarray  # indices into the examples
    test: np.ndarray
    development: bool


@dataclass
class FoldResult:
    fold: Fold
    scores: np.ndarray  # of fold.test, in order
    threshold: float
    seconds: float
    model: Pipeline | None = field(default=None, repr=False)  # only with keep_models


def near_duplicate_keys(e: Example) -> set[str]:
    """Every key that makes two rows near-duplicates of each other."""
    return {k for k in (e.group, e.split_key, "dup:" + near_duplicate_key(e.input.text)) if k}


def make_folds(examples: Sequence[Example], part: str = "dev", dev_folds: int = 5) -> list[Fold]:
    """One fold per real source with rows in ``part``, then ``dev_folds`` grouped folds of the
    development rows (see module doc)."""
    dev = np.array([is_development(e.origin) for e in examples], dtype=bool)
    scored = part_mask(examples, part)
    trainable = dev | part_mask(examples, "all" if part == "all" else "dev")
    keys = [near_duplicate_keys(e) for e in examples]
    sources = np.array([e.source for e in examples])

    def train_without(test_all: np.ndarray, drop: np.ndarray) -> np.ndarray:
        banned = set().union(*(keys[i] for i in test_all))
        return np.array([i for i in np.flatnonzero(trainable & ~drop) if not keys[i] & banned], dtype=int)

    folds = []
    for s in sorted(set(sources[~dev].tolist())):
        of_s = (sources == s) & ~dev
        test = np.flatnonzero(of_s & scored)
        if len(test):
            folds.append(Fold(s, train_without(np.flatnonzero(of_s), sources == s), test, False))
    dev_idx = np.flatnonzero(dev)
    groups = np.array([examples[i].group for i in dev_idx])
    k = min(dev_folds, len(set(groups.tolist())))
    if k >= 2:
        y = np.array([examples[i].label for i in dev_idx])
        stratify = min(np.bincount(y, minlength=2)) >= k
        cv = StratifiedGroupKFold(k, shuffle=True, random_state=13) if stratify else GroupKFold(k)
        for j, (_, te) in enumerate(cv.split(dev_idx, y, groups), 1):
            test = dev_idx[te]
            drop = np.zeros(len(examples), dtype=bool)
            drop[test] = True
            folds.append(Fold(f"development {j}/{k}", train_without(test, drop), test, True))
    return folds


def _fit_score(k: int, train: list[Example], w: np.ndarray, test: list[Example], max_features: int,
               threshold: float | None, inner_folds: int, keep_model: bool
               ) -> tuple[int, np.ndarray, float, float, Pipeline | None]:
    t0 = time.perf_counter()
    build = functools.partial(build_pipeline, max_features=max_features)
    y = np.array([e.label for e in train])
    if threshold is None:
        threshold = choose_threshold(y, out_of_fold(train, w, inner_folds, lambda _m: None, build))
    model = build()
    model.fit([e.input for e in train], y, clf__sample_weight=w)
    p = model.predict_proba([e.input for e in test])[:, 1]
    return k, p, float(threshold), time.perf_counter() - t0, model if keep_model else None


def run_folds(examples: Sequence[Example], weights: np.ndarray, folds: Sequence[Fold], *,
              threshold: float | None, max_features: int = 40000, inner_folds: int = 3, n_jobs: int = 2,
              progress: Progress = print, keep_models: bool = False, shuffle: bool = True) -> list[FoldResult]:
    """Fit and score every fold (see module doc); results in the order of ``folds``.
    ``shuffle`` False: training rows in file order, as ``lurewatch train`` passes them."""
    if not folds:
        return []
    how = f"threshold {threshold:.2f}" if threshold is not None else f"threshold per fold ({inner_folds}-fold)"
    progress(f"{len(folds)} fits ({sum(not f.development for f in folds)} held-out sources, "
             f"{sum(f.development for f in folds)} development folds), {how}, max_features {max_features}, "
             f"rows {'shuffled' if shuffle else 'in file order'}, "
             f"{n_jobs} process{'es' if n_jobs > 1 else ''}")
    orders = [np.random.default_rng(13).permutation(f.train) if shuffle else f.train for f in folds]
    tasks = [delayed(_fit_score)(k, [examples[i] for i in order], weights[order],
                                 [examples[i] for i in f.test], max_features, threshold, inner_folds, keep_models)
             for k, (f, order) in enumerate(zip(folds, orders, strict=True))]
    runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered") if n_jobs != 1 else (
        lambda ts: (fn(*a, **kw) for fn, a, kw in ts))
    results: dict[int, FoldResult] = {}
    t0 = time.perf_counter()
    for k, p, thr, secs, model in runner(tasks):
        f = folds[k]
        results[k] = FoldResult(f, p, thr, secs, model)
        progress(f"[{len(results)}/{len(folds)}] {f.name}: trained on {len(f.train)} rows, scored {len(f.test)} "
                 f"in {secs:.0f} s (elapsed {time.perf_counter() - t0:.0f} s)")
    return [results[k] for k in range(len(folds))]


@dataclass(frozen=True)
class Scored:
    """The scored rows of a run, one entry per row."""

    index: np.ndarray
    source: np.ndarray
    development: np.ndarray
    label: np.ndarray
    score: np.ndarray
    flag: np.ndarray
    group: np.ndarray
    origin: np.ndarray

    @classmethod
    def of(cls, examples: Sequence[Example], results: Sequence[FoldResult]) -> Scored:
        idx = np.concatenate([r.fold.test for r in results]) if results else np.zeros(0, int)
        ex = [examples[i] for i in idx]
        scores = np.concatenate([r.scores for r in results]) if results else np.zeros(0)
        thr = np.concatenate([np.full(len(r.scores), r.threshold) for r in results]) if results else np.zeros(0)
        return cls(idx, np.array([e.source for e in ex], dtype=object),
                   np.array([r.fold.development for r in results for _ in r.scores], dtype=bool),
                   np.array([e.label for e in ex], dtype=int), scores, scores >= thr,
                   np.array([e.group for e in ex], dtype=object), np.array([e.origin for e in ex], dtype=object))

    def select(self, mask: np.ndarray) -> Scored:
        return Scored(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))


def _rate(k: int, n: int) -> tuple[float | None, list[float] | None]:
    if not n:
        return None, None
    lo, hi = wilson(k, n)
    return round(k / n, 4), [round(lo, 4), round(hi, 4)]


def per_source(s: Scored, min_rows: int = MIN_ROWS) -> list[dict[str, Any]]:
    """Per held-out source (development sources last): rows, scam rows and recall, legitimate
    rows and false-positive rate, each with its 95 % Wilson interval, PR-AUC where both labels
    exist, and which sides are small (< ``min_rows``)."""
    out = []
    keys = sorted({(bool(d), str(src)) for d, src in zip(s.development, s.source, strict=True)})
    for dev, src in keys:
        m = (s.source == src) & (s.development == dev)
        y, f, p = s.label[m], s.flag[m], s.score[m]
        n1, n0 = int(y.sum()), int((y == 0).sum())
        recall, recall_ci = _rate(int(f[y == 1].sum()), n1)
        fpr, fpr_ci = _rate(int(f[y == 0].sum()), n0)
        out.append({"source": src, "files": sorted(set(s.origin[m].tolist())), "development": dev, "n": int(m.sum()),
                    "scam": n1, "recall": recall, "recall_ci": recall_ci,
                    "legit": n0, "fpr": fpr, "fpr_ci": fpr_ci,
                    "pr_auc": round(float(average_precision_score(y, p)), 4) if n1 and n0 else None,
                    "small": [side for side, n in (("scam", n1), ("legit", n0)) if 0 < n < min_rows]})
    return out
