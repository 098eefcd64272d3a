"""Plots for ``lurewatch evaluate`` (PNG): precision-recall curves, a reliability diagram of
out-of-source scores and per-source bars of the leave-one-source-out view."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    _pyplot().close(fig)
    return path


def pr_curves(path: Path, curves: Sequence[tuple[str, np.ndarray, np.ndarray, float]], title: str) -> Path:
    """One precision-recall curve per ``(name, y, scores, threshold)`` with both classes, the
    point at its flag threshold marked; written to ``path`` (PNG)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 5.5), dpi=110)
    for name, y, p, threshold in curves:
        y, p = np.asarray(y), np.asarray(p)
        if not 0 < y.sum() < len(y):
            continue
        prec, rec, thr = precision_recall_curve(y, p)
        line, = ax.plot(rec, prec, label=f"{name} (n={len(y)}, {int(y.sum())} scam; threshold {threshold:.2f})")
        pred = p >= threshold
        tp = int((pred & (y == 1)).sum())
        if pred.any():
            ax.plot([tp / y.sum()], [tp / pred.sum()], "o", color=line.get_color())
    ax.set_xlabel("recall (share of scam posts flagged)")
    ax.set_ylabel("precision (share of flagged posts that are scams)")
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)
    ax.set_title(f"{title}\n(dots: each curve at its flag threshold)", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)


def reliability(path: Path, y: np.ndarray, p: np.ndarray, title: str, bins: int = 10) -> Path:
    """Reliability diagram: per score bin of width 1/``bins``, the mean score against the
    observed share of scams, each point labelled with its row count; below, the rows per bin
    by label. Written to ``path`` (PNG)."""
    plt = _pyplot()
    y, p = np.asarray(y), np.asarray(p, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(6.5, 7), dpi=110, gridspec_kw={"height_ratios": [3, 1]},
                                   sharex=True)
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    xs, ys = [], []
    for b in range(bins):
        m = which == b
        if m.any():
            xs.append(float(p[m].mean()))
            ys.append(float(y[m].mean()))
            ax.annotate(str(int(m.sum())), (xs[-1], ys[-1]), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.plot(xs, ys, "o-", label=f"out-of-source scores (n={len(y)}, {int(y.sum())} scam)")
    ax.set_ylabel("observed share of scams")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"{title}\n(numbers: rows per bin)", fontsize=10)
    edges = np.linspace(0, 1, bins + 1)
    hist.hist([p[y == 0], p[y == 1]], bins=edges, label=["legitimate", "scam"], color=["tab:blue", "tab:red"])
    hist.set_yscale("log")
    hist.set_xlabel("predicted probability of scam")
    hist.set_ylabel("rows")
    hist.legend(fontsize=8)
    hist.set_xlim(0, 1)
    return _save(fig, path)


def source_bars(path: Path, rows: Sequence[dict[str, Any]], title: str, *, recall_goal: float = 0.85,
                fpr_goal: float = 0.01) -> Path:
    """Per held-out source: recall of its scam rows (left) and false-positive rate of its
    legitimate rows (right), with 95 % intervals and the goals as lines. ``rows`` are
    :func:`models.loso.per_source` rows; small sides are hatched, development data named so."""
    plt = _pyplot()
    panels = [("recall", "scam", "recall of scam rows", recall_goal, "tab:red"),
              ("fpr", "legit", "false-positive rate of legitimate rows", fpr_goal, "tab:blue")]
    height = max(3.0, 0.32 * max(1, max(sum(r[k] is not None for r in rows) for k, *_ in panels)) + 1.6)
    fig, axes = plt.subplots(1, 2, figsize=(12, height), dpi=110)
    for ax, (key, side, label, goal, colour) in zip(axes, panels, strict=True):
        shown = [r for r in rows if r[key] is not None]
        names = [f"{r['source']}{' (development)' if r['development'] else ''} n={r[side]}"
                 f"{' small' if side in r['small'] else ''}" for r in shown]
        vals = np.array([r[key] for r in shown], float)
        lo = np.array([r[f"{key}_ci"][0] for r in shown], float)
        hi = np.array([r[f"{key}_ci"][1] for r in shown], float)
        pos = np.arange(len(shown))[::-1]
        bars = ax.barh(pos, vals, color=colour, alpha=0.75, xerr=[vals - lo, hi - vals], capsize=3,
                       error_kw={"elinewidth": 1})
        for bar, r in zip(bars, shown, strict=True):
            if side in r["small"] or r["development"]:
                bar.set_hatch("//")
                bar.set_alpha(0.4)
        ax.axvline(goal, color="black", linestyle="--", linewidth=1,
                   label=f"goal: {'≥' if key == 'recall' else '≤'} {goal:.0%}")
        ax.set_yticks(pos, names, fontsize=8)
        ax.set_xlim(0, 1 if key == "recall" else min(1.0, max(0.1, 1.1 * float(hi.max(initial=0)))))
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(f"{title}\n(bars: 95 % Wilson intervals; hatched: small or development data)", fontsize=10)
    return _save(fig, path)
