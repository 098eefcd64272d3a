"""Record validation: µs per ``validate(record.to_dict())`` on real-shaped records.

    .venv/bin/python bench/record_validation.py [--repeat 5]

Records are built from the texts of models/data/seed.jsonl (``Record.from_capture``) and
enriched by the analysis stages (normalize → extract → indicators → score, the shipped
model), so entities, indicators, score and stages are as the store receives them. Timed on
one core, best of ``--repeat``: valid records (the common case) and the same records each
with one invalid field (the rejection path, which builds the error message).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def records() -> list[dict[str, Any]]:
    from pipeline.records import Record
    from pipeline.run import enrich
    from pipeline.settings import Settings

    rows = [json.loads(line) for line in (ROOT / "models/data/seed.jsonl").open(encoding="utf-8") if line.strip()]
    captured = [
        Record.from_capture(
            source_id="bench", source_kind="jobboard", url=f"https://bench.example/{row['id']}",
            text=row["text"], title=row.get("title"), body_sha256=hashlib.sha256(row["text"].encode()).hexdigest(),
            fetched_at="2025-02-01T08:00:00+00:00", partition="2025-02-01", lang=row.get("lang"))
        for row in rows if row.get("text")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"LUREWATCH_DATA_DIR": tmp})
        return [r.to_dict() for r in enrich(captured, settings)]


def _timed(items: list[dict[str, Any]], fn: Callable[[dict[str, Any]], object], repeat: int) -> float:
    """Best µs per item over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for d in items:
            fn(d)
        best = min(best, time.perf_counter() - t0)
    return best / len(items) * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs (best is reported)")
    args = ap.parse_args(argv)
    from pipeline.records import RecordError, validate

    valid = records()
    invalid = [{**d, "score": "high"} if i % 2 else {**d, "partition": "01/02/2025"} for i, d in enumerate(valid)]

    def reject(d: dict[str, Any]) -> None:
        try:
            validate(d)
        except RecordError:
            return
        raise AssertionError("accepted an invalid record")

    validate(valid[0])  # build the validator outside the timing
    entities = statistics.median(len(d["entities"]) for d in valid)
    indicators = statistics.median(len(d["indicators"]) for d in valid)
    print(f"{len(valid)} records from models/data/seed.jsonl; median {entities} entities, {indicators} indicators")
    print(f"valid:   {_timed(valid, validate, args.repeat):.1f} µs per record")
    print(f"invalid: {_timed(invalid, reject, args.repeat):.1f} µs per record")
    print(f"Python {platform.python_version()}, {platform.machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
