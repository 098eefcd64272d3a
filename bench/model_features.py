"""The classifier's cost alone: ``models.persist.Model.score`` (features, calibrated
regression) on model inputs computed beforehand, and a check that the fast feature code gives
scikit-learn's feature matrix and probabilities.

    taskset -c 1 .venv/bin/python bench/model_features.py [--data FILE ...] [--model PATH] [--check]

Each file: rows 0–150 warm the per-word caches (not timed), rows 150–550 are timed; per-text
caches are cleared before each of 3 passes (``--repeat``; best and first pass reported, in wall-clock
and in CPU time, which a busy machine disturbs less). ``--check``
compares, on every row read, the features and probabilities with those of the same model
computed by scikit-learn's own ``TfidfVectorizer.transform``. Default data: the seed set.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import clear_text_caches, load  # noqa: E402

SEED = ROOT / "models" / "data" / "seed.jsonl"
WARMUP, SAMPLE, REPEAT = 150, 400, 3


def reference_features(pipeline: Any, inputs: list[str]) -> Any:
    """The feature matrix as scikit-learn computes it: every vectorizer of the union
    transforms with ``TfidfVectorizer``'s own code."""
    import copy

    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    blocks = []
    for _name, step in pipeline.named_steps["features"].transformer_list:
        if isinstance(step, TfidfVectorizer):
            step = copy.copy(step)
            step.__class__ = TfidfVectorizer
        blocks.append(sp.csr_matrix(step.transform(inputs)))
    return sp.hstack(blocks).tocsr()


def compare(pipeline: Any, inputs: list[str]) -> str:
    """Largest differences between the fast and scikit-learn's features and probabilities."""
    import numpy as np


    clear_text_caches()
    fast = pipeline.named_steps["features"].transform(inputs).tocsr()
    ref = reference_features(pipeline, inputs)
    assert fast.shape == ref.shape, (fast.shape, ref.shape)
    clf = pipeline.named_steps["clf"]
    p_fast, p_ref = clf.predict_proba(fast)[:, 1], clf.predict_proba(ref)[:, 1]
    feat = abs(fast - ref).max() if fast.nnz or ref.nnz else 0.0
    same = all(np.array_equal(getattr(fast, a), getattr(ref, a)) for a in ("indptr", "indices", "data"))
    return (f"{len(inputs)} texts: features bit for bit the same: {same} (max |diff| {feat:.3g}, nnz {fast.nnz} "
            f"vs {ref.nnz}), max |proba diff| {np.abs(p_fast - p_ref).max():.3g}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", action="append", type=Path, help="JSON-lines posts (repeatable; default seed set)")
    ap.add_argument("--model", type=Path, help="model (default the shipped one)")
    ap.add_argument("--check", action="store_true", help="compare with scikit-learn's transform")
    ap.add_argument("--repeat", type=int, default=REPEAT, help=f"timed passes (default {REPEAT})")
    args = ap.parse_args()

    from models.features import ModelInput
    from models.persist import load_model
    from pipeline.posts import signals_of
    from pipeline.settings import Settings

    model = load_model(args.model or Settings.from_env().model_path)
    for path in args.data or [SEED]:
        inputs = [ModelInput.of_signals(signals_of(p)) for p in load(path)[:WARMUP + SAMPLE]]
        warm, timed = inputs[:WARMUP], inputs[WARMUP:]
        model.score(warm)
        wall, cpu = [], []
        for _ in range(args.repeat):
            clear_text_caches()
            t, c = time.perf_counter(), time.process_time()
            model.score(timed)
            cpu.append((time.process_time() - c) / len(timed) * 1e6)
            wall.append((time.perf_counter() - t) / len(timed) * 1e6)
        print(f"{path.name}: {len(timed)} posts, Model.score {min(wall):.0f} µs/post best ({wall[0]:.0f} first "
              f"pass); CPU time {min(cpu):.0f} ({cpu[0]:.0f})")
        if args.check:
            print("  ", compare(model.pipeline, inputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
