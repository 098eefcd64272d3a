"""``lurewatch evaluate --loso``: the leave-one-source-out view (:mod:`models.loso`), its
headline (:mod:`models.prevalence`) and its report.

Writes to the output directory:

* ``loso.json``: every figure, the folds (rows trained on, threshold, seconds) and the data
  fingerprints;
* ``loso.md``: the headline, the per-source tables and the plots, ready to paste into docs;
* ``reliability.png`` (calibration of the out-of-source scores of real sources) and
  ``sources.png`` (recall and false-positive rate per held-out source, with the goals);
* ``loso-scores.jsonl``: one line per scored row (id, source, file, development, label,
  score, flagged) for the operating-point work (:func:`read_scores`,
  :func:`models.prevalence.threshold_for_precision`).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.frozen import MANIFEST, FrozenSplitError, check, is_development, read_manifest
from models.loso import Scored, make_folds, per_source, run_folds
from models.plots import reliability, source_bars
from models.prevalence import MIN_ROWS, cells, headline
from models.train import load_data

Progress = Callable[[str], None]

SPLITS = {
    "dev": "development part of the shared data (frozen part neither trained on nor scored)",
    "frozen": "frozen evaluation part scored; models trained on the development part only",
    "all": "every row; models trained on every row of the other sources",
}
RECALL_GOAL = 0.85
FPR_GOAL = 0.01


def _check_pinned(data: Sequence[Path], manifest: Path | None, progress: Progress) -> None:
    man = read_manifest(manifest) if manifest is not None and manifest.is_file() else {"files": {}}
    pinned = man["files"]
    problems = check([p for p in data if p.name in pinned], man) if pinned else []
    if problems:
        raise FrozenSplitError(f"the data no longer splits as {manifest} pins it; nothing was evaluated:\n  "
                               + "\n  ".join(problems))
    for p in data:
        if p.name not in pinned and not is_development(p.stem):
            progress(f"{p.name} is not pinned by the frozen-split manifest: split by the rule, unchecked")


def read_scores(path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(labels, scores) per real source from a ``loso-scores.jsonl``, the input of
    :func:`models.prevalence.threshold_for_precision`."""
    by: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        if not row["development"]:
            by[row["source"]][0].append(row["label"])
            by[row["source"]][1].append(row["score"])
    return [(np.array(y), np.array(p)) for y, p in (by[s] for s in sorted(by))]


def run_loso_evaluation(data: Sequence[Path], out_dir: Path, *, threshold: float | None, threshold_note: str = "",
                        split: str = "dev", prevalence: float = 0.01, max_features: int = 40000,
                        dev_folds: int = 5, n_jobs: int = 2, seed_weight: float = 3.0, min_rows: int = MIN_ROWS,
                        replicates: int = 2000, manifest: Path | None = MANIFEST, shuffle: bool = True,
                        progress: Progress = print) -> dict[str, Any]:
    """Run the leave-one-source-out view on ``data`` and write its outputs (module doc).
    ``threshold`` None: chosen per fold on its training rows. Raises FrozenSplitError when a
    dev/frozen run meets data that no longer splits as ``manifest`` pins it."""
    t0 = time.perf_counter()
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}")
    if split != "all":
        _check_pinned(data, manifest, progress)
    examples, weights, fingerprints = load_data(data, seed_weight, progress)
    folds = make_folds(examples, split, dev_folds)
    results = run_folds(examples, weights, folds, threshold=threshold, max_features=max_features,
                        n_jobs=n_jobs, progress=progress, shuffle=shuffle)
    scored = Scored.of(examples, results)
    rows = per_source(scored, min_rows)
    real = scored.select(~scored.development)
    progress(f"bootstrapping the headline ({replicates} replicates)")
    head = headline(cells(real.source, real.label, real.flag, real.group), prevalence, min_rows=min_rows,
                    replicates=replicates)
    out_dir.mkdir(parents=True, exist_ok=True)
    what = f"split {split}, threshold {threshold_note or threshold}"
    plots = {"reliability": reliability(out_dir / "reliability.png", real.label, real.score,
                                        f"Out-of-source scores of real sources\n({what})"),
             "sources": source_bars(out_dir / "sources.png", rows, f"Leave-one-source-out ({what})",
                                    recall_goal=RECALL_GOAL, fpr_goal=FPR_GOAL)}
    with (out_dir / "loso-scores.jsonl").open("w", encoding="utf-8") as fh:
        for i, src, dev, y, p, f in zip(scored.index, scored.source, scored.development, scored.label,
                                        scored.score, scored.flag, strict=True):
            e = examples[i]
            fh.write(json.dumps({"id": e.id, "source": src, "file": e.origin, "development": bool(dev),
                                 "label": int(y), "score": round(float(p), 6), "flagged": bool(f)},
                                ensure_ascii=False) + "\n")
    result: dict[str, Any] = {
        "split": split, "split_means": SPLITS[split], "threshold": threshold, "threshold_note": threshold_note,
        "max_features": max_features, "shuffle": shuffle, "seed_weight": seed_weight, "dev_folds": dev_folds,
        "min_rows": min_rows,
        "goals": {"recall": RECALL_GOAL, "fpr": FPR_GOAL}, "data": fingerprints, "headline": head,
        "sources": [r for r in rows if not r["development"]], "development": [r for r in rows if r["development"]],
        "folds": [{"name": r.fold.name, "development": r.fold.development, "trained_on": len(r.fold.train),
                   "scored": len(r.fold.test), "threshold": r.threshold, "seconds": round(r.seconds, 1)}
                  for r in results],
        "plots": {k: str(v) for k, v in plots.items()}, "scores": str(out_dir / "loso-scores.jsonl"),
    }
    result["seconds"] = round(time.perf_counter() - t0, 1)
    (out_dir / "loso.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (out_dir / "loso.md").write_text(render_markdown(result), "utf-8")
    result["report"] = str(out_dir / "loso.md")
    return result


# ---------------------------------------------------------------- tables (Markdown and the CLI)

COLUMNS = ("source", "file", "n", "scam", "recall (95 % CI)", "legit", "FPR (95 % CI)", "PR-AUC", "note")


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(ci: list[float] | None) -> str:
    return "–" if ci is None else f"{ci[0]:.3f}–{ci[1]:.3f}"


def _with_ci(x: float | None, ci: list[float] | None) -> str:
    return "–" if x is None or ci is None else f"{x:.3f} ({_ci(ci)})"


def source_table(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Cells of the per-source table, in the order of :data:`COLUMNS`."""
    return [[r["source"], ", ".join(r["files"]), str(r["n"]), str(r["scam"]), _with_ci(r["recall"], r["recall_ci"]),
             str(r["legit"]), _with_ci(r["fpr"], r["fpr_ci"]), _f(r["pr_auc"]),
             "; ".join(f"small ({side})" for side in r["small"])] for r in rows]


def prevalence_table(head: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    cols = ["prevalence", "queue precision", "95 % CI", "recall (macro)", "flagged per 10,000 posts"]
    return cols, [[f"{b['prevalence']:.1%}", _f(b["precision"]), _ci(b["precision_ci"]), _f(b["recall"]),
                   f"{b['flagged_per_10k']:.0f}"] for b in head.get("by_prevalence", [])]


def headline_lines(head: dict[str, Any]) -> list[str]:
    """The headline in sentences."""
    if "missing" in head:
        return [f"Queue precision: not computed ({head['missing']})."]
    lines = [f"Queue precision at {head['prevalence']:.1%} prevalence: {_f(head['precision'])} "
             f"(95 % CI {_ci(head['precision_ci'])}).",
             f"Macro recall {_f(head['recall'])} ({_ci(head['recall_ci'])}) over {len(head['scam_sources'])} "
             f"scam sources; macro false-positive rate {_f(head['fpr'])} ({_ci(head['fpr_ci'])}) over "
             f"{len(head['legit_sources'])} legitimate sources.",
             f"Worst: recall {_f(head['worst_recall']['recall'])} ({head['worst_recall']['source']}), "
             f"false-positive rate {_f(head['worst_fpr']['fpr'])} ({head['worst_fpr']['source']}); "
             f"queue precision with both: {_f(head['worst_case_precision'])}."]
    if head["small"]:
        lines.append(f"Small, reported but not averaged (< {head['min_rows']} rows): {', '.join(head['small'])}.")
    return lines


def _md(cols: Sequence[str], cells_: Sequence[Sequence[str]]) -> str:
    return "\n".join(["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols),
                      *("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells_)])


def render_markdown(r: dict[str, Any]) -> str:
    head = r["headline"]
    data = "\n".join(f"- `{k}`: {v['rows']} rows, sha256 `{v['sha256'][:16]}…`" for k, v in r["data"].items())
    thr = r["threshold_note"] or (f"{r['threshold']:.2f}" if r["threshold"] is not None else "per fold")
    dev = (_md(COLUMNS, source_table(r["development"])) if r["development"]
           else "(no development data given)")
    return f"""# Leave-one-source-out evaluation

Split **{r['split']}**: {r['split_means']}. Threshold: {thr}. Recipe:
`build_pipeline(max_features={r['max_features']})`, rows of seed*/feedback* files weigh
{r['seed_weight']}, training rows {'in a fixed random order' if r['shuffle'] else 'in file order'}.
Goals: recall ≥ {r['goals']['recall']:.0%}, false-positive rate ≤ {r['goals']['fpr']:.0%}.
Run time {r['seconds']:.0f} s.

{data}

## Headline

{chr(10).join(headline_lines(head))}

{_md(*prevalence_table(head))}

Precision = π·R / (π·R + (1 − π)·FPR); R and FPR per source, then averaged over sources; 95 %
interval: bootstrap over near-duplicate groups within each source ({head['replicates']} replicates, seed
{head['seed']}), threshold and scores fixed.

## Per held-out source (trained without it)

{_md(COLUMNS, source_table(r['sources']))}

## Development data (team-written, grouped {r['dev_folds']}-fold; not a held-out source)

{dev}

![reliability diagram](reliability.png)

![per-source recall and false-positive rate](sources.png)
"""
