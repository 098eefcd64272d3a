"""Plots for ``lurewatch evaluate``: precision-recall curves (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_curve


def pr_curves(path: Path, curves: Sequence[tuple[str, np.ndarray, np.ndarray, float]], title: str) -> Path:
    """One precision-recall curve per ``(name, y, scores, threshold)`` with both classes, the
    point at its flag threshold marked; written to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
