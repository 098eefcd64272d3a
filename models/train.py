"""Train, evaluate, gate and persist the classifier (``lurewatch train``).

1. Load the labelled files; hold out a fixed 20 % of near-duplicate groups of each file
   (:mod:`models.evaluate`).
2. Grouped cross-validation on the rest: out-of-fold scores, the flag threshold (max F1),
   metrics per file, source and language, and the confound check.
3. Fit on the rest; score the held-out sets.
4. The promotion gate (:mod:`models.gate`) compares the candidate with the current model on
   the held-out sets. The candidate is always written beside the model as
   ``<name>.candidate.skops`` with its card; it replaces the model (the old one kept as
   ``<name>.previous.skops``) only when the gate passes or ``force`` is set.
"""

from __future__ import annotations

import datetime as dt
import platform
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.classifier import build_pipeline, slim
from models.dataset import DatasetError, Example, file_fingerprint, load_examples
from models.evaluate import (
    HOLDOUT_PERCENT,
    by_set,
    choose_threshold,
    describe_confound,
    holdout_mask,
    out_of_fold,
    report,
    split_holdout,
)
from models.gate import GateDecision, decide
from models.persist import Model, ModelError, card_path, load_model, read_model, save_model

Progress = Callable[[str], None]

#: Files whose name starts with one of these weigh ``seed_weight`` (small, written or
#: labelled by the team and investigators) against larger, confounded research data.
WEIGHTED_PREFIXES = ("seed", "feedback")


@dataclass
class TrainResult:
    n_examples: int
    metrics: dict[str, Any]  # out-of-fold report (models.evaluate.report)
    holdout: dict[str, Any]  # held-out report of the candidate
    threshold: float
    model_version: str
    path: Path  # where the model in use now is
    candidate: Path
    promoted: bool
    gate: GateDecision


def _git_sha() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def load_data(data: Sequence[Path], seed_weight: float, progress: Progress
              ) -> tuple[list[Example], np.ndarray, dict[str, dict[str, Any]]]:
    examples: list[Example] = []
    fingerprints = {}
    weights: list[float] = []
    for path in data:
        rows = load_examples(path)
        fingerprints[path.name] = {"sha256": file_fingerprint(path), "rows": len(rows)}
        w = seed_weight if path.name.startswith(WEIGHTED_PREFIXES) else 1.0
        examples.extend(rows)
        weights.extend([w] * len(rows))
        progress(f"loaded {len(rows)} examples from {path}")
    if len({e.label for e in examples}) < 2:
        raise DatasetError("training data needs both labels (0 and 1); add labelled examples of the missing class")
    return examples, np.array(weights), fingerprints


def _predict(model: Model | Any, examples: Sequence[Example]) -> np.ndarray:
    pipeline = model.pipeline if isinstance(model, Model) else model
    return pipeline.predict_proba([e.input for e in examples])[:, 1] if examples else np.zeros(0)


def train(data: Sequence[Path], out: Path, *, seed_weight: float = 3.0, n_splits: int = 5,
          progress: Progress = print, force: bool = False) -> TrainResult:
    """Train on the given JSON-lines files, evaluate, gate against the model at ``out`` and
    save (see module doc)."""
    examples, weights, fingerprints = load_data(data, seed_weight, progress)
    mask = holdout_mask(examples)
    train_ex, held = split_holdout(examples)
    w_train = weights[~mask]
    progress(f"{len(train_ex)} examples to train on, {len(held)} held out ({HOLDOUT_PERCENT} % of groups)")
    y = np.array([e.label for e in train_ex])
    oof = out_of_fold(train_ex, w_train, n_splits, progress)
    threshold = choose_threshold(y, oof)
    oof_report = report(train_ex, oof, threshold)
    progress("fitting the candidate on all training examples")
    model = build_pipeline()
    model.fit([e.input for e in train_ex], y, clf__sample_weight=w_train)
    held_p = _predict(model, held)
    cand_held = by_set(held, held_p, threshold)
    held_report = report(held, held_p, threshold) if held else {}

    current_held = None
    current_version = None
    current_confound = None
    if out.is_file():
        try:
            current = read_model(out)
            current_held = by_set(held, _predict(current, held), current.threshold)
            current_version = current.version
            current_confound = current.card.get("metrics", {}).get("confound")
        except (ModelError, ValueError, KeyError) as exc:
            progress(f"the current model {out} cannot be used for comparison ({exc}); it will be replaced")
    gate = decide(current_held, cand_held, oof_report["confound"], current_confound)
    promoted = gate.promote or force

    today = dt.datetime.now(dt.UTC)
    fp = "".join(v["sha256"][:4] for v in fingerprints.values())[:12]
    version = f"lurewatch-clf-{today:%Y%m%d%H%M}-{fp}"
    import sklearn
    import skops
    import spacy

    card = {
        "model_version": version,
        "created_at": today.isoformat(timespec="seconds"),
        "git_sha": _git_sha(),
        "threshold": threshold,
        "threshold_method": f"maximises F1 on {n_splits}-fold grouped out-of-fold scores of the training "
                            "examples, searched in [0.20, 0.90] (ties: the higher)",
        "evaluation": f"{HOLDOUT_PERCENT} % of near-duplicate groups of each file held out (fixed by a hash of "
                      f"the group); StratifiedGroupKFold(n_splits={n_splits}) on the rest, near-duplicates grouped",
        "data": fingerprints,
        "seed_weight": seed_weight,
        "metrics": oof_report,
        "holdout": {"sets": cand_held, "report": held_report},
        "gate": {**gate.to_dict(), "compared_with": current_version, "forced": force and not gate.promote},
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__, "skops": skops.__version__, "spacy": spacy.__version__},
        "intended_use": "Ranking public job ads and posts for human review by investigators. "
                        "Not for automated enforcement and never for profiling applicants.",
    }
    candidate = out.with_name(out.stem + ".candidate.skops")
    save_model(slim(model), card, candidate, render_card(card))
    progress(f"saved the candidate {candidate} ({version}), threshold {threshold:.2f}")
    if promoted:
        if out.is_file():
            previous = out.with_name(out.stem + ".previous.skops")
            for src, dst in ((out, previous), (card_path(out), card_path(previous)),
                             (out.with_suffix(".card.md"), previous.with_suffix(".card.md"))):
                if src.is_file():
                    shutil.copy2(src, dst)
        for src, dst in ((candidate, out), (card_path(candidate), card_path(out)),
                         (candidate.with_suffix(".card.md"), out.with_suffix(".card.md"))):
            shutil.copy2(src, dst)
        load_model.cache_clear()
    return TrainResult(len(examples), oof_report, held_report, threshold, version, out, candidate,
                       promoted, gate)


def _table(rows: dict[str, dict[str, Any]]) -> str:
    lines = ["| group | n | positives | precision | recall | F1 | PR-AUC | flag rate |",
             "|---|---|---|---|---|---|---|---|"]
    for name, m in rows.items():
        lines.append(f"| {name} | {m['n']} | {m['positives']} | {m['precision']:.3f} | "
                     f"{m['recall']:.3f} | {m['f1']:.3f} | {m.get('pr_auc', float('nan')):.3f} | "
                     f"{m['flag_rate']:.3f} |")
    return "\n".join(lines)


def _confusion(m: dict[str, Any]) -> str:
    return (f"| | flagged | not flagged |\n|---|---|---|\n| scam (label 1) | {m['tp']} | {m['fn']} |\n"
            f"| not scam (label 0) | {m['fp']} | {m['tn']} |")


def render_card(card: dict[str, Any]) -> str:
    m = card["metrics"]
    held = card["holdout"]
    data = "\n".join(f"- `{k}`: {v['rows']} rows, sha256 `{v['sha256']}`" for k, v in card["data"].items())
    versions = ", ".join(f"{k} {v}" for k, v in card["versions"].items())
    confound = "\n".join(f"- {line}" for line in describe_confound(m["confound"]))
    legit = ", ".join(f"{k} {v['flag_rate']:.2f} (n={v['n']})" for k, v in m["confound"]["legit_by_lang"].items())
    legit_files = "; ".join(f"{f}: " + ", ".join(f"{k} {r:.2f}" for k, r in rates.items())
                            for f, rates in m["confound"].get("legit_by_file", {}).items())
    gate = card["gate"]
    gate_lines = "\n".join(f"- {r}" for r in gate["reasons"])
    held_table = _table(held["sets"]) if held.get("sets") else "(no held-out examples)"
    held_lang = _table(held["report"]["by_lang"]) if held.get("report") else ""
    return f"""# Model card: {card['model_version']}

**Intended use.** {card['intended_use']}

**Model.** One scikit-learn Pipeline (models/classifier.py): TF-IDF word 1–2-grams and
character 2–4-grams within words over the normalized title and text (addresses masked),
indicator and identifier signals (models/features.py; the signals of each row computed by
pipeline.signals.post_signals, as the daily pipeline and `lurewatch score` compute them),
logistic regression calibrated with sigmoid (3-fold). Saved with skops; loading refuses any
type outside the exact list in models/persist.py.

**Threshold.** {card['threshold']:.2f}; {card['threshold_method']}.

**Training data.** Rows of files named seed* or feedback* weigh {card['seed_weight']}.
{data}

**Evaluation.** {card['evaluation']}.

Out of fold, overall:

{_table({'all': m['overall']})}

Confusion at the threshold (out of fold):

{_confusion(m['overall'])}

Per data file:

{_table(m['by_file'])}

Per source:

{_table(m['by_source'])}

Per language:

{_table(m['by_lang'])}

**Confound check** (out of fold; models/evaluate.py `confound_check`):
{confound}

Flag rate of legitimate posts per language, per data file (what check 1 compares):
{legit_files}. All files together: {legit}.

**Held-out sets** (never trained on; scored by this model):

{held_table}

Held out, per language:

{held_lang}

**Promotion gate** (compared with {gate['compared_with'] or 'no current model'}): \
{'promoted' if gate['promote'] else ('promoted by force' if gate['forced'] else 'kept the current model')}.
{gate_lines}

**Known limits.** Metrics on the data above, not on live crawls. The shared job-ads data
is confounded (every fraudulent row US/UK English from 2012–14, every legitimate row
Southeast-Asian): read the per-language rows and the confound check, not only the overall
one. Per-language numbers for km and my rest on a handful of team-written rows.

Created {card['created_at']} at git {card['git_sha']}; {versions}.
"""
