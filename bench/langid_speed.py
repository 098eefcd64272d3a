"""Cost of language identification per post: ``pipeline.langid.detect`` on long job ads and short messages.

    taskset -c 1 .venv/bin/python bench/langid_speed.py [--against REV] [--jobads FILE] [--english FILE] [--sms FILE]

Each file's posts (their ``text``, what the pipeline passes to ``detect``) are split into a
warm-up part (the first 150: builds the detector and, for revisions before lingua, fills the
per-word caches a long-running scorer has warm; not timed) and a timed part of ``--sample``
posts never seen before. A trial empties such caches (both sides'), warms up, then times one
pass over the timed posts; the median of ``--trials`` trials is reported. ``normalize_text``
(not langid's work) is computed for every post before timing, so both sides find it cached.
One core: the process is pinned to one CPU; the process's CPU time is measured. Job ads are
of two kinds: ``--jobads`` (jobads-dev: many Vietnamese and Thai ads, decided by their
letters) and ``--english`` (English ads, every one of which goes to the Latin-script model).

``--against REV`` also times ``pipeline/langid.py`` as it was at git revision REV (loaded from
``git show``) on the same posts, and counts the posts on which the two disagree.
Default data: ../shared/data (research data, read in place and never copied).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import load  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WARMUP = 150


def load_revision(rev: str) -> ModuleType:
    """``pipeline/langid.py`` at ``rev``, imported as a module of its own (own caches)."""
    source = subprocess.run(["git", "show", f"{rev}:pipeline/langid.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "langid_at_rev.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("langid_at_rev", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def reset(langid: ModuleType) -> None:
    """Forget what a revision before lingua cached about words and tokens (the model stays)."""
    if hasattr(langid, "_WORD_FEATURES"):
        langid._WORD_FEATURES.clear()
        langid.model().__dict__.pop("_cached_tokens", None)


def trial(langid: ModuleType, others: list[ModuleType], warm: list[str], timed: list[str]) -> tuple[float, list[str]]:
    for module in (langid, *others):  # the other side's caches would only burden the collector
        reset(module)
    gc.collect()
    for text in warm:
        langid.detect(text)
    start = time.process_time()  # CPU time of this process: other load on the machine stays out
    langs = [langid.detect(text) for text in timed]
    return (time.process_time() - start) / len(timed) * 1e6, langs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", metavar="REV", help="also time pipeline/langid.py at this git revision")
    parser.add_argument("--jobads", type=Path, default=DATA / "jobads-dev.jsonl")
    parser.add_argument("--english", type=Path, default=DATA / "jobads-en-legit.jsonl")
    parser.add_argument("--sms", type=Path, default=DATA / "sms-aux.jsonl")
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument("--trials", type=int, default=7)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from pipeline import langid
    from pipeline.textnorm import normalize_text

    sides = {"now": langid}
    if args.against:
        sides[args.against] = load_revision(args.against)
    print("| posts | chars/post | " + " | ".join(f"{name} µs/post" for name in sides) + " | disagree |")
    print("|---|---|" + "---|" * len(sides) + "---|")
    for name, path in (("long job ads", args.jobads), ("long English ads", args.english), ("short messages", args.sms)):
        rows = [r["text"] for r in load(path)]
        warm, timed = rows[:WARMUP], rows[WARMUP:WARMUP + args.sample]
        for text in warm + timed:
            normalize_text(text)
        results = {}
        for _ in range(args.trials):
            for side, module in sides.items():
                others = [other for other in sides.values() if other is not module]
                cost, langs = trial(module, others, warm, timed)
                results.setdefault(side, ([], langs))[0].append(cost)
        answers = [langs for _costs, langs in results.values()]
        disagree = sum(len(set(post)) > 1 for post in zip(*answers, strict=True))
        chars = sum(map(len, timed)) / len(timed)
        cells = " | ".join(f"{statistics.median(costs):.1f}" for costs, _langs in results.values())
        print(f"| {name} ({path.name}, {len(timed)}) | {chars:,.0f} | {cells} | {disagree} |")


if __name__ == "__main__":
    main()
