"""Signal stages: posts per second of normalize, indicators and identifiers, against a plain baseline.

    .venv/bin/python bench/signals.py [--data ../shared/data] [--repeat 3]

Two corpora. By default, from the repository: *long* = the texts of models/data/seed.jsonl
joined ten at a time (about 2,200 characters, the length of a job-board ad), *short* = the
texts of bench/data/extraction_gold.jsonl (about 80 characters, message-like). With
``--data DIR``: *long* = up to ``--long`` texts of DIR/jobads-dev.jsonl, *short* = up to
``--short`` texts of DIR/sms-aux.jsonl (drawn with a fixed seed).

Stages, timed one core (one Python thread), best of ``--repeat``:

* ``normalize``: ``normalize_text(text)``, its cache cleared before every call;
* ``indicators``: ``indicator_hits(text)``, normalization already cached (the stage's own cost);
* ``identifiers``: ``find_identifiers(text, lang)`` (every extractor, on the text as given);
* ``all, cold``: ``normalize_text`` + ``indicator_hits`` + ``find_entities`` with the cache
  cleared first (what ``lurewatch extract`` does for a new post);
* ``baseline``: one ``re.findall`` of a phone-or-URL regex over the text.

Prints a Markdown table: posts/s per stage and corpus, and each stage's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = ROOT / "models" / "data" / "seed.jsonl"
GOLD = ROOT / "bench" / "data" / "extraction_gold.jsonl"

Post = tuple[str, str | None]  # text, lang

_BASELINE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|\+?\d[\d \-]{6,}\d", re.I)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


def repo_corpora() -> dict[str, list[Post]]:
    seed = [r["text"] for r in _read(SEED)]
    long = [("\n".join(seed[i:i + 10]), "en") for i in range(0, len(seed) - 9, 10)]
    short = [(r["text"], r.get("lang")) for r in _read(GOLD)]
    return {"long": long, "short": short}


def data_corpora(data: Path, n_long: int, n_short: int) -> dict[str, list[Post]]:
    out = {}
    for name, file, n in (("long", "jobads-dev.jsonl", n_long), ("short", "sms-aux.jsonl", n_short)):
        rows = [r for r in _read(data / file) if r.get("text")]
        out[name] = [(r["text"], r.get("lang")) for r in random.Random(0).sample(rows, min(n, len(rows)))]
    return out


def _timed(posts: Sequence[Post], fn: Callable[[str, str | None], object], repeat: int,
           before: Callable[[], None] | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, lang in posts:
            if before is not None:
                before()
            fn(text, lang)
        best = min(best, time.perf_counter() - t0)
    return len(posts) / best


def measure(posts: Sequence[Post], repeat: int) -> dict[str, float]:
    from pipeline.extractors.find import find_entities, find_identifiers
    from pipeline.indicators import indicator_hits
    from pipeline.textnorm import normalize_text

    def clear() -> None:  # nothing is cached per text any more (older builds cached normalization)
        getattr(normalize_text, "cache_clear", lambda: None)()

    def all_cold(text: str, lang: str | None) -> None:
        normalize_text(text)
        indicator_hits(text)
        find_entities(text, lang)

    for text, lang in posts[:3]:  # build pipelines, gazetteer and catalogue outside the timing
        all_cold(text, lang)
        find_identifiers(text, lang)
    out = {"normalize": _timed(posts, lambda t, _: normalize_text(t), repeat, clear)}
    clear()
    for text, _ in posts:
        normalize_text(text)
    out["indicators"] = _timed(posts, lambda t, _: indicator_hits(t), repeat)
    out["identifiers"] = _timed(posts, find_identifiers, repeat)
    out["all, cold"] = _timed(posts, all_cold, repeat, clear)
    out["baseline"] = _timed(posts, lambda t, _: _BASELINE.findall(t), repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, help="directory with jobads-dev.jsonl and sms-aux.jsonl (research data)")
    ap.add_argument("--long", type=int, default=150, help="long texts drawn from --data")
    ap.add_argument("--short", type=int, default=600, help="short texts drawn from --data")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per stage (best is reported)")
    args = ap.parse_args(argv)

    corpora = data_corpora(args.data, args.long, args.short) if args.data else repo_corpora()
    results = {name: measure(posts, args.repeat) for name, posts in corpora.items()}
    head = " | ".join(f"{name} ({len(posts)} posts, median {statistics.median(len(t) for t, _ in posts):,.0f} chars)"
                      for name, posts in corpora.items())
    lines = [f"| stage | {head} |", "|---|" + "---:|" * len(corpora)]
    for stage in results["long"]:
        cells = []
        for name in corpora:
            pps, base = results[name][stage], results[name]["baseline"]
            cells.append(f"{pps:,.0f}" + ("" if stage == "baseline" else f" ({pps / base:.3f})"))
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    print("posts/s, one core, best of", args.repeat, "(ratio to the baseline in brackets)")
    print("\n".join(lines))
    print(f"\nPython {platform.python_version()}, {platform.machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
