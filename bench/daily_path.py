"""The daily path and ``lurewatch score``, each in a fresh process, against a baseline
measured in the same run.

    .venv/bin/python bench/daily_path.py [--data FILE ...] [--posts 2000] [--workers 1 2] [--repeat 2]

* **process stage**: one day's partition of ``--posts`` records (``raw/<source>/<day>.jsonl``,
  built from the posts of the data files, one source per file) processed by
  ``pipeline.run.process_partition`` into a new SQLite store, as the daily DAG's process
  task does: a fresh Python process each time (a task starts cold: model, catalogue and
  pipelines are loaded inside the timed span), for each ``--workers`` value
  (``LUREWATCH_WORKERS``; a build that ignores it runs one worker).
* **lurewatch score**: ``pipeline.scoring.score_file`` over the same posts, in a fresh process,
  for each ``--workers`` value.
* **baseline**: scikit-learn ``TfidfVectorizer`` (word 1–2-grams) + ``LogisticRegression``
  trained in this run on the same posts, then timed predicting their raw text in a fresh
  process too (load and import included the same way).

Rates are posts per second over the timed span (everything after imports, see ``_child``);
the best of ``--repeat`` runs is reported. Ratios to the baseline compare builds measured on
different days or machines. Default data: the project's seed set, repeated to ``--posts``.
Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "models" / "data" / "seed.jsonl"
PARTITION = "2026-01-15"


def load_posts(paths: list[Path], n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` posts drawn evenly from the files (a file's posts repeat when it has too few),
    shuffled; each keeps its file's stem as ``source``."""
    per_file: list[list[dict[str, Any]]] = []
    for path in paths:
        rows = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    rows.append({"title": row.get("title") or None, "text": row.get("text") or "",
                                 "lang": row.get("lang") or None, "label": int(row.get("label", 0)),
                                 "source": path.stem})
        per_file.append(rows)
    rnd = random.Random(seed)
    out: list[dict[str, Any]] = []
    share = n // len(per_file)
    for k, rows in enumerate(per_file):
        rnd.shuffle(rows)
        want = share + (1 if k < n - share * len(per_file) else 0)
        out += [rows[i % len(rows)] for i in range(want)]
    rnd.shuffle(out)
    return [{**post, "id": f"p{i}"} for i, post in enumerate(out)]


def write_partition(data_dir: Path, posts: list[dict[str, Any]]) -> None:
    """Posts as captured records of PARTITION, one raw file per source."""
    sys.path.insert(0, str(ROOT))
    from pipeline.records import Record

    by_source: dict[str, list[str]] = {}
    for i, p in enumerate(posts):
        # a text repeated to reach --posts gets its own URL, so every record is new
        rec = Record.from_capture(source_id=p["source"].replace("_", "-"), source_kind="jobposting",
                                  url=f"https://bench.example/{p['source']}/{i}", text=p["text"],
                                  title=p["title"], body_sha256="0" * 64,
                                  fetched_at="2026-01-15T06:00:00Z", partition=PARTITION, lang=p["lang"])
        by_source.setdefault(rec.source_id, []).append(rec.to_json())
    for source, lines in by_source.items():
        path = data_dir / "raw" / source / f"{PARTITION}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", "utf-8")


def _child(mode: str, arg: str) -> None:
    """Runs in the fresh process: imports first (not timed), then the timed span."""
    sys.path.insert(0, str(ROOT))
    if mode == "process":
        from pipeline.run import process_partition
        from pipeline.settings import Settings

        settings = Settings.from_env()
        t = time.perf_counter()
        summary = process_partition(PARTITION, settings)
        n = summary.indexed
    elif mode == "score":
        from pipeline.scoring import score_file
        from pipeline.settings import Settings

        settings = Settings.from_env()
        src = Path(arg)
        t = time.perf_counter()
        n = score_file(src, src.with_suffix(".out.jsonl"), settings)
    else:  # baseline
        with open(arg, "rb") as fh:
            t = time.perf_counter()
            model, texts = pickle.load(fh)  # noqa: S301 - our own file, this run
        model.predict_proba(texts)
        n = len(texts)
    print(json.dumps({"n": n, "seconds": time.perf_counter() - t}))


def run_child(mode: str, arg: str, env: dict[str, str]) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, arg], env=env, capture_output=True,
                          text=True, check=False, cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"{mode} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", action="append", type=Path, help="JSON-lines posts (repeatable; default seed set)")
    ap.add_argument("--posts", type=int, default=2000, help="posts in the partition (default 2000)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="process-stage workers to measure")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the best is reported")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return 0

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    paths = args.data or [SEED]
    posts = load_posts(paths, args.posts)
    texts = [f"{p['title'] or ''}\n{p['text']}" for p in posts]
    labels = [p["label"] for p in posts]
    if len(set(labels)) < 2:
        labels = [i % 2 for i in range(len(posts))]
    base = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                         LogisticRegression(max_iter=1000)).fit(texts, labels)

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lw-bench-") as tmp:
        tmpdir = Path(tmp)
        with (tmpdir / "baseline.pkl").open("wb") as fh:
            pickle.dump((base, texts), fh)
        score_in = tmpdir / "posts.jsonl"
        score_in.write_text("".join(json.dumps({"id": p["id"], "title": p["title"], "text": p["text"],
                                                **({"lang": p["lang"]} if p["lang"] else {})},
                                               ensure_ascii=False) + "\n" for p in posts), "utf-8")
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("LUREWATCH_")}
        base_env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

        def best(mode: str, arg: str, env: dict[str, str]) -> float:
            rates = []
            for _ in range(args.repeat):
                r = run_child(mode, arg, env)
                rates.append(r["n"] / r["seconds"])
            return max(rates)

        results["baseline"] = best("baseline", str(tmpdir / "baseline.pkl"), base_env)
        for w in args.workers:
            results[f"score-{w}"] = best("score", str(score_in), {**base_env, "LUREWATCH_DATA_DIR": str(tmpdir / "s"),
                                                                  "LUREWATCH_WORKERS": str(w)})
        for w in args.workers:
            rates = []
            for k in range(args.repeat):
                data_dir = tmpdir / f"d{w}-{k}"
                write_partition(data_dir, posts)
                r = run_child("process", "", {**base_env, "LUREWATCH_DATA_DIR": str(data_dir),
                                              "LUREWATCH_WORKERS": str(w)})
                rates.append(r["n"] / r["seconds"])
            results[f"process-{w}"] = max(rates)

    chars = sorted(len(t) for t in texts)[len(texts) // 2]
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, "
          f"{len(posts)} posts (median {chars:,} chars) from {', '.join(p.name for p in paths)}; "
          f"best of {args.repeat} fresh-process runs\n")
    print("| what | posts/s | ratio to baseline |")
    print("|---|---|---|")
    b = results["baseline"]
    print(f"| TF-IDF + LR baseline (predict) | {b:,.0f} | 1 |")
    for w in args.workers:
        r = results[f"score-{w}"]
        print(f"| `lurewatch score`, {w} worker{'s' if w > 1 else ''} | {r:,.0f} | {r / b:.4f} |")
    for w in args.workers:
        r = results[f"process-{w}"]
        print(f"| process stage, {w} worker{'s' if w > 1 else ''} | {r:,.0f} | {r / b:.4f} |")
    if len(args.workers) > 1:
        lo, hi = min(args.workers), max(args.workers)
        print(f"\nSpeed-up from {lo} to {hi} workers: process stage "
              f"{results[f'process-{hi}'] / results[f'process-{lo}']:.2f}x, lurewatch score "
              f"{results[f'score-{hi}'] / results[f'score-{lo}']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
