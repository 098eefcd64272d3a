"""The headline of the leave-one-source-out view (models/prevalence.py): Wilson intervals,
queue precision at a prevalence, its bootstrap interval, and the threshold for a target
precision — each on a case worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from models.prevalence import Cell, cells, headline, queue_precision, threshold_for_precision, wilson


@pytest.mark.parametrize(("k", "n", "expected"), [
    (5, 10, (0.2366, 0.7634)),
    (0, 10, (0.0, 0.2775)),
    (10, 10, (0.7225, 1.0)),
    (1, 100, (0.0018, 0.0545)),
    (0, 0, (0.0, 1.0)),
])
def test_wilson_interval(k: int, n: int, expected: tuple[float, float]) -> None:
    lo, hi = wilson(k, n)
    assert (round(lo, 4), round(hi, 4)) == expected


def test_queue_precision_formula() -> None:
    # 1 % prevalence, recall 0.8, FPR 2 %: 0.008 / (0.008 + 0.0198)
    assert queue_precision(0.01, 0.8, 0.02) == pytest.approx(0.008 / 0.0278)
    assert queue_precision(0.01, 0.8, 0.0) == 1.0
    assert queue_precision(0.5, 0.0, 0.0) is None  # nothing flagged
    with pytest.raises(ValueError, match="prevalence"):
        queue_precision(0.0, 0.5, 0.1)


def _cell(source: str, label: int, hits: list[int], rows: list[int]) -> Cell:
    return Cell(source, label, np.array(hits), np.array(rows))


def test_headline_is_macro_over_sources_and_leaves_small_ones_out() -> None:
    cs = [_cell("scam-a", 1, [40], [40]), _cell("scam-b", 1, [15, 5], [30, 10]),  # recall 1.0 and 0.5
          _cell("legit-a", 0, [10], [100]), _cell("legit-b", 0, [0] * 50, [1] * 50),  # FPR 0.1 and 0.0
          _cell("tiny", 0, [3], [3])]  # small: FPR 1.0, not averaged
    h = headline(cs, 0.01, replicates=200)
    assert (h["recall"], h["fpr"]) == (0.75, 0.05)
    assert h["precision"] == round(0.0075 / (0.0075 + 0.99 * 0.05), 4)  # 0.1316
    assert h["scam_sources"] == ["scam-a", "scam-b"]
    assert h["legit_sources"] == ["legit-a", "legit-b"]
    assert h["small"] == ["tiny (legit, 3 rows)"]
    assert h["worst_recall"] == {"source": "scam-b", "recall": 0.5}
    assert h["worst_fpr"] == {"source": "legit-a", "fpr": 0.1}
    assert h["worst_case_precision"] == round(0.005 / (0.005 + 0.099), 4)
    # one group per cell, or groups that cannot vary: the interval collapses onto the estimate
    assert h["fpr_ci"][0] <= 0.05 <= h["fpr_ci"][1]
    assert [b["prevalence"] for b in h["by_prevalence"]] == [0.001, 0.01, 0.05]
    assert h["by_prevalence"][1]["flagged_per_10k"] == round(10_000 * (0.0075 + 0.99 * 0.05), 1)


def test_bootstrap_interval_worked_by_hand() -> None:
    # scam: two singleton groups, one flagged → each replicate's recall is 0, 0.5 or 1
    # (probability 1/4, 1/2, 1/4); legit: one group of 10 rows, 1 flagged → FPR 0.1 always.
    # At prevalence 0.5 precision is R / (R + 0.1): 0, 0.8333 or 0.9091, so the 95 %
    # percentile interval is [0, 0.9091] and the recall interval [0, 1].
    h = headline([_cell("s", 1, [1, 0], [1, 1]), _cell("l", 0, [1], [10])], 0.5, min_rows=1,
                 prevalences=(), replicates=2000, seed=13)
    assert h["precision"] == round(0.5 / 0.6, 4)
    assert h["precision_ci"] == [0.0, 0.9091]
    assert h["recall_ci"] == [0.0, 1.0]
    assert h["fpr_ci"] == [0.1, 0.1]
    again = headline([_cell("s", 1, [1, 0], [1, 1]), _cell("l", 0, [1], [10])], 0.5, min_rows=1, prevalences=())
    assert again == h  # fixed seed


def test_headline_says_what_is_missing() -> None:
    h = headline([_cell("l", 0, [1], [40])], 0.01)
    assert "missing" in h
    assert "precision" not in h


def test_cells_count_flags_per_source_label_and_group() -> None:
    cs = cells(["a", "a", "a", "b"], [1, 1, 0, 0], [True, False, True, False], ["g1", "g1", "g2", "g3"])
    assert [(c.source, c.label, c.hits.tolist(), c.rows.tolist()) for c in cs] == [
        ("a", 0, [1], [1]), ("a", 1, [1], [2]), ("b", 0, [0], [1])]


def test_threshold_for_target_precision() -> None:
    # scam source: 20 rows at 0.9, 20 at 0.5; legitimate source: 36 rows at 0.1, 4 at 0.6.
    scam = (np.ones(40, int), np.r_[np.full(20, 0.9), np.full(20, 0.5)])
    legit = (np.zeros(40, int), np.r_[np.full(36, 0.1), np.full(4, 0.6)])
    # at 0.5: recall 1, FPR 0.1 → precision (π = 0.5) 0.5 / 0.55 = 0.909
    p = threshold_for_precision([scam, legit], target=0.9, prevalence=0.5)
    assert p is not None
    assert (p.threshold, p.recall, p.fpr) == (0.5, 1.0, 0.1)
    assert p.precision == pytest.approx(0.5 / 0.55)
    # 0.95 is not reached at 0.5 (0.909) nor 0.6 (recall 0.5, FPR 0.1: 0.833); at 0.9 FPR is 0
    p = threshold_for_precision([scam, legit], target=0.95, prevalence=0.5)
    assert p is not None
    assert (p.threshold, p.recall, p.fpr, p.precision) == (0.9, 0.5, 0.0, 1.0)
    # at 1 % prevalence 0.909 needs FPR ≤ ~0.1 % even at full recall: only 0.9 gets there
    p = threshold_for_precision([scam, legit], target=0.9, prevalence=0.01)
    assert p is not None
    assert p.threshold == 0.9
    assert threshold_for_precision([scam, legit], target=1.01, prevalence=0.5) is None
    # sources below min_rows do not count; with none of a label left there is no answer
    assert threshold_for_precision([scam, legit], target=0.5, min_rows=41) is None
