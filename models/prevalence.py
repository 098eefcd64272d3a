"""What the review queue would hold at a stated prevalence, from out-of-source rates.

An investigator reads the flagged posts. Of the posts the crawl brings in, a share π (the
*prevalence*, default 1 %) are scams; the model flags a share R of those (recall) and a share
FPR of the rest. The share of the queue that is scams is

    precision(π) = π·R / (π·R + (1 − π)·FPR)

R is the recall over the real scam sources and FPR the false-positive rate over the real
legitimate sources, each computed **per source first and then averaged over sources**
(macro), so a big source cannot hide a small one. A side of a source (its scam rows, or its
legitimate rows) with fewer than :data:`MIN_ROWS` rows is *small*: reported, never averaged.

The confidence interval is a percentile bootstrap: every replicate resamples, within each
side of each source, its near-duplicate groups with replacement (a group of reposted
templates is one unit; with singleton groups this is resampling rows), recomputes the
macro rates and the precision. The scores and the threshold are held fixed, so the interval
covers the sampling of the evaluation rows, not the variance of refitting the model.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054
#: A side of a source with fewer rows than this is small: reported, not averaged.
MIN_ROWS = 30
#: Prevalences every report shows besides the stated one.
PREVALENCES = (0.001, 0.01, 0.05)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of the rate k/n (95 % by default); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def queue_precision(prevalence: float, recall: float, fpr: float) -> float | None:
    """π·R / (π·R + (1 − π)·FPR); None when nothing would be flagged. Raises ValueError
    unless 0 < π < 1."""
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be between 0 and 1 (exclusive), got {prevalence}")
    flagged = prevalence * recall + (1 - prevalence) * fpr
    return None if flagged <= 0 else prevalence * recall / flagged


@dataclass(frozen=True)
class Cell:
    """One side of one source: per near-duplicate group, rows flagged and rows."""

    source: str
    label: int
    hits: np.ndarray
    rows: np.ndarray

    @property
    def n(self) -> int:
        return int(self.rows.sum())

    @property
    def rate(self) -> float:
        return float(self.hits.sum() / self.rows.sum())


def cells(sources: Sequence[str], labels: Sequence[int], flags: Sequence[bool], groups: Sequence[str]
          ) -> list[Cell]:
    """The cells (source, label) of flagged rows, counted per near-duplicate group."""
    counts: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for s, y, f, g in zip(sources, labels, flags, groups, strict=True):
        c = counts[(s, int(y))][g]
        c[0] += int(bool(f))
        c[1] += 1
    out = []
    for (s, y), by_group in sorted(counts.items()):
        arr = np.array(list(by_group.values()), dtype=np.int64)
        out.append(Cell(s, y, arr[:, 0], arr[:, 1]))
    return out


def _precision(prevalence: float, recall: np.ndarray, fpr: np.ndarray) -> np.ndarray:
    flagged = prevalence * recall + (1 - prevalence) * fpr
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(flagged > 0, prevalence * recall / np.where(flagged > 0, flagged, 1), np.nan)


def _replicates(cell: Cell, rng: np.random.Generator, replicates: int) -> np.ndarray:
    g = len(cell.rows)
    out = np.empty(replicates)
    step = max(1, 4_000_000 // g)  # bound memory: at most ~4M indices at a time
    for start in range(0, replicates, step):
        idx = rng.integers(0, g, size=(min(step, replicates - start), g), dtype=np.int32)
        out[start:start + len(idx)] = cell.hits[idx].sum(1) / cell.rows[idx].sum(1)
    return out


def _interval(values: np.ndarray) -> list[float] | None:
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def headline(all_cells: Iterable[Cell], prevalence: float = 0.01, *, prevalences: Sequence[float] = PREVALENCES,
             min_rows: int = MIN_ROWS, replicates: int = 2000, seed: int = 13) -> dict[str, Any]:
    """Queue precision at ``prevalence`` with its bootstrap interval, the macro recall and FPR
    with theirs, the same at each of ``prevalences``, and the worst sources (see module doc).
    Cells with fewer than ``min_rows`` rows are left out and listed as small."""
    all_cells = list(all_cells)
    scam = [c for c in all_cells if c.label == 1 and c.n >= min_rows]
    legit = [c for c in all_cells if c.label == 0 and c.n >= min_rows]
    out: dict[str, Any] = {
        "prevalence": prevalence, "min_rows": min_rows, "replicates": replicates, "seed": seed,
        "scam_sources": [c.source for c in scam], "legit_sources": [c.source for c in legit],
        "small": [f"{c.source} ({'scam' if c.label else 'legit'}, {c.n} rows)" for c in all_cells
                  if c.n < min_rows],
    }
    if not scam or not legit:
        out["missing"] = "needs at least one real scam side and one real legitimate side of " \
                         f">= {min_rows} rows to compute the queue precision"
        return out
    recall = float(np.mean([c.rate for c in scam]))
    fpr = float(np.mean([c.rate for c in legit]))
    rng = np.random.default_rng(seed)
    rb = np.mean([_replicates(c, rng, replicates) for c in scam], axis=0)
    fb = np.mean([_replicates(c, rng, replicates) for c in legit], axis=0)
    worst_r = min(scam, key=lambda c: c.rate)
    worst_f = max(legit, key=lambda c: c.rate)
    out.update({"recall": _r(recall), "recall_ci": _interval(rb), "fpr": _r(fpr), "fpr_ci": _interval(fb),
                "precision": _r(queue_precision(prevalence, recall, fpr)),
                "precision_ci": _interval(_precision(prevalence, rb, fb)),
                "worst_recall": {"source": worst_r.source, "recall": _r(worst_r.rate)},
                "worst_fpr": {"source": worst_f.source, "fpr": _r(worst_f.rate)},
                "worst_case_precision": _r(queue_precision(prevalence, worst_r.rate, worst_f.rate))})
    out["by_prevalence"] = [
        {"prevalence": pi, "precision": _r(queue_precision(pi, recall, fpr)),
         "precision_ci": _interval(_precision(pi, rb, fb)), "recall": _r(recall),
         "flagged_per_10k": round(10_000 * (pi * recall + (1 - pi) * fpr), 1)}
        for pi in sorted({*prevalences, prevalence})]
    return out


@dataclass(frozen=True)
class OperatingPoint:
    threshold: float
    precision: float
    recall: float
    fpr: float


def threshold_for_precision(scored: Sequence[tuple[np.ndarray, np.ndarray]], target: float,
                            prevalence: float = 0.01, *, min_rows: int = MIN_ROWS) -> OperatingPoint | None:
    """The lowest threshold (so the highest recall) at which the queue precision at
    ``prevalence`` reaches ``target``, from out-of-source scores: one ``(labels, scores)``
    pair per real source; a post is flagged when its score ≥ the threshold. Recall and FPR
    are macro over the sources with ≥ ``min_rows`` rows of that label. None if no threshold
    reaches ``target`` (or a label has no such source)."""
    pos = [np.sort(np.asarray(p, float)[np.asarray(y) == 1]) for y, p in scored]
    neg = [np.sort(np.asarray(p, float)[np.asarray(y) == 0]) for y, p in scored]
    pos = [a for a in pos if len(a) >= min_rows]
    neg = [a for a in neg if len(a) >= min_rows]
    if not pos or not neg:
        return None
    candidates = np.unique(np.concatenate(pos + neg))

    def macro(sides: list[np.ndarray]) -> np.ndarray:
        return np.mean([(len(a) - np.searchsorted(a, candidates, side="left")) / len(a) for a in sides], axis=0)

    recall, fpr = macro(pos), macro(neg)
    precision = _precision(prevalence, recall, fpr)
    ok = np.flatnonzero(np.nan_to_num(precision, nan=-1.0) >= target)
    if not len(ok):
        return None
    i = int(ok[0])
    return OperatingPoint(float(candidates[i]), float(precision[i]), float(recall[i]), float(fpr[i]))
