"""The promotion gate: a newly trained model replaces the current one only if it is at
least as good on every held-out evaluation set, and says why.

Both models score the same held-out sets (:func:`models.evaluate.split_holdout`; no model
trained by ``lurewatch train`` has seen them). Per set with both classes the candidate must
have PR-AUC ≥ the current model's and F1 at its own threshold ≥ the current's (both rounded
to 3 decimals, so noise below that does not count), and it must pass every confound check
(:func:`models.evaluate.confound_check`, from the cards) that the current model passes.
A set with one class compares the flag rate instead (legitimate-only: not higher; scam-only:
not lower). No current model, or one that cannot be loaded, means the candidate is promoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GateDecision:
    promote: bool
    reasons: list[str] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"promote": self.promote, "reasons": self.reasons, "table": self.table}


def _r(x: float) -> float:
    return round(float(x), 3)


def _passed(confound: dict[str, Any] | None) -> set[str]:
    checks = (confound or {}).get("checks", {})
    return {name for name, c in checks.items() if c.get("passed")}


def decide(current: dict[str, dict[str, Any]] | None, candidate: dict[str, dict[str, Any]],
           candidate_confound: dict[str, Any], current_confound: dict[str, Any] | None = None) -> GateDecision:
    """``current``/``candidate``: metrics per evaluation set (models.evaluate.metrics), each
    at the model's own threshold; ``current`` None when there is no current model. The
    confound results are the models' cards' ``metrics.confound``."""
    if current is None:
        return GateDecision(True, ["there is no current model to compare with"])
    reasons: list[str] = []
    worse = False
    for name in sorted(_passed(current_confound) - _passed(candidate_confound)):
        worse = True
        reasons.append(f"confound check {name}: the current model passes it, the candidate fails it")
    table = []
    for name in sorted(candidate):
        cand, cur = candidate[name], current.get(name)
        if cur is None:
            reasons.append(f"{name}: new evaluation set, nothing to compare")
            continue
        row = {"set": name, "n": cand["n"]}
        if "pr_auc" in cand and "pr_auc" in cur:
            pairs = [("pr_auc", _r(cur["pr_auc"]), _r(cand["pr_auc"]), True),
                     ("f1", _r(cur["f1"]), _r(cand["f1"]), True)]
        elif cand["positives"] == 0:
            pairs = [("flag_rate", _r(cur["flag_rate"]), _r(cand["flag_rate"]), False)]
        else:
            pairs = [("recall", _r(cur["recall"]), _r(cand["recall"]), True)]
        for metric, a, b, higher_better in pairs:
            row[metric] = {"current": a, "candidate": b}
            ok = b >= a if higher_better else b <= a
            if not ok:
                worse = True
                reasons.append(f"{name}: {metric} {b:.3f} is {'below' if higher_better else 'above'} "
                               f"the current model's {a:.3f}")
        table.append(row)
    if not worse:
        reasons.insert(0, "at least as good as the current model on every evaluation set")
    return GateDecision(not worse, reasons, table)
