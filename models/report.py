"""``lurewatch evaluate``: evaluate the training recipe and a trained model, write the
tables, a confusion table and precision-recall curves.

Two views, each labelled as such:

* **cross-validation**: grouped out-of-fold scores of the training recipe on the training
  part of the data (threshold chosen on them, as ``lurewatch train`` does);
* **held-out**: the model under test (default: the model in use) scored on the held-out
  20 % of groups of every data file, at the model's own threshold.

Outputs in the output directory: ``pr_curve.png``, ``confusion.md``, ``report.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.evaluate import choose_threshold, holdout_mask, out_of_fold, report, split_holdout
from models.persist import read_model
from models.plots import pr_curves
from models.train import load_data

Progress = Callable[[str], None]


def _confusion_md(title: str, m: dict[str, Any], threshold: float) -> str:
    return (f"### {title} (threshold {threshold:.2f}, n={m['n']})\n\n"
            "| | flagged | not flagged | total |\n|---|---|---|---|\n"
            f"| scam (label 1) | {m['tp']} | {m['fn']} | {m['tp'] + m['fn']} |\n"
            f"| not scam (label 0) | {m['fp']} | {m['tn']} | {m['fp'] + m['tn']} |\n\n"
            f"precision {m['precision']:.3f} · recall {m['recall']:.3f} · F1 {m['f1']:.3f}"
            + (f" · PR-AUC {m['pr_auc']:.3f}" if "pr_auc" in m else "") + "\n")


def run_evaluation(data: Sequence[Path], model_path: Path, out_dir: Path, *, n_splits: int = 5,
                   cv: bool = True, seed_weight: float = 3.0, progress: Progress = print) -> dict[str, Any]:
    examples, weights, fingerprints = load_data(data, seed_weight, progress)
    mask = holdout_mask(examples)
    train_ex, held = split_holdout(examples)
    result: dict[str, Any] = {"data": fingerprints, "model": str(model_path)}
    curves: list[tuple[str, np.ndarray, np.ndarray, float]] = []
    confusion: list[str] = []
    if cv and train_ex:
        progress(f"cross-validating the training recipe on {len(train_ex)} examples")
        y = np.array([e.label for e in train_ex])
        oof = out_of_fold(train_ex, weights[~mask], n_splits, progress)
        threshold = choose_threshold(y, oof)
        result["cross_validation"] = {"threshold": threshold, **report(train_ex, oof, threshold)}
        curves.append(("cross-validation, all", y, oof, threshold))
        origins = sorted({e.origin for e in train_ex})
        if len(origins) > 1:
            for origin in origins:
                ii = [i for i, e in enumerate(train_ex) if e.origin == origin]
                curves.append((f"cross-validation, {origin}", y[ii], oof[ii], threshold))
        confusion.append(_confusion_md("Cross-validation, all files", result["cross_validation"]["overall"],
                                       threshold))
    if held:
        model = read_model(model_path)
        progress(f"scoring {len(held)} held-out examples with {model.version}")
        p = model.pipeline.predict_proba([e.input for e in held])[:, 1]
        yh = np.array([e.label for e in held])
        result["held_out"] = {"model_version": model.version, "threshold": model.threshold,
                              **report(held, p, model.threshold)}
        for origin in sorted({e.origin for e in held}):
            ii = [i for i, e in enumerate(held) if e.origin == origin]
            curves.append((f"held out, {origin}", yh[ii], p[ii], model.threshold))
            confusion.append(_confusion_md(f"Held out, {origin} ({model.version})",
                                           result["held_out"]["by_file"][origin], model.threshold))
    out_dir.mkdir(parents=True, exist_ok=True)
    result["pr_curve"] = str(pr_curves(out_dir / "pr_curve.png", curves, "LureWatch classifier: precision-recall"))
    (out_dir / "confusion.md").write_text("# Confusion tables\n\n" + "\n".join(confusion), "utf-8")
    result["confusion"] = str(out_dir / "confusion.md")
    (out_dir / "report.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    result["report"] = str(out_dir / "report.json")
    return result
