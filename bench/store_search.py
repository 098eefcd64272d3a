"""Search latency p50/p95 on synthetic posts for both store backends.

    .venv/bin/python bench/store_search.py [--n 100000] [--repeat 30]

Loads the same synthetic posts (bench/store_synth.py) into a fresh SQLite store and a fresh
Elasticsearch alias (LUREWATCH_ES_URL, or a node started with scripts/es.sh on ES_PORT 9298),
then times each query shape ``--repeat`` times (after one warm-up) from the Python API
(``Store.search`` / ``Store.pivot``, i.e. including result decoding and highlighting).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.store_bulk import node  # noqa: E402
from bench.store_synth import posts  # noqa: E402
from pipeline.store.elasticsearch import ElasticsearchStore  # noqa: E402
from pipeline.store.sqlite import SQLiteStore  # noqa: E402

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("full text, 1 word", {"query": "visa"}),
    ("full text, 3 words + highlight", {"query": "visa salary paid"}),
    ("full text, Vietnamese folded", {"query": "luong cao"}),
    ("filters: source + score range", {"filters": {"source_id": "tg-cn", "score_gte": 0.7, "score_lte": 0.9}}),
    ("filters: country + date range, sort by date", {"filters": {"country": "KH", "fetched_from": "2025-02-10",
                                                                 "fetched_to": "2025-02-12"},
                                                     "sort": "-fetched_at"}),
    ("text + indicator filter + 3 facets", {"query": "job", "filters": {"indicators.id": "travel_paid"},
                                            "facets": ["source_id", "country", "indicators.id"]}),
    ("all records, 4 facets", {"facets": ["source_id", "lang", "country", "triage.status"]}),
    ("hostile syntax", {"query": '"((visa AND *:* OR NOT [x'}),
]


def timings(fn: Any, repeat: int) -> dict[str, float]:
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return {"p50_ms": round(statistics.median(out), 1),
            "p95_ms": round(out[min(len(out) - 1, int(round(0.95 * (len(out) - 1))))], 1)}


def run(store: Any, repeat: int) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for name, kwargs in QUERIES:
        res[name] = timings(lambda kw=kwargs: store.search(size=20, **kw), repeat)
    res["pivot on a phone number"] = timings(lambda: store.pivot("+85510000123", "phone"), repeat)
    res["pivot on a handle (any type)"] = timings(lambda: store.pivot("@hr_42"), repeat)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    records = list(posts(args.n))
    results: dict[str, Any] = {"docs": args.n, "repeat": args.repeat}
    with tempfile.TemporaryDirectory() as tmp:
        sq = SQLiteStore(Path(tmp) / "bench.sqlite3")
        sq.setup()
        t = time.perf_counter()
        for i in range(0, len(records), 5000):
            sq.upsert(records[i:i + 5000])
        results["sqlite_load_s"] = round(time.perf_counter() - t, 1)
        results["sqlite"] = run(sq, args.repeat)
        sq.close()
        with node() as url:
            name = f"bench-search-{uuid.uuid4().hex[:8]}"
            es = ElasticsearchStore(url, name, replicas=0, data_dir=Path(tmp))
            es.setup()
            t = time.perf_counter()
            es.upsert(records)
            results["es_load_s"] = round(time.perf_counter() - t, 1)
            es.es.indices.forcemerge(index=name, max_num_segments=1)
            results["elasticsearch"] = run(es, args.repeat)
            es.es.indices.delete(index=f"{name}-d*")
            es.es.indices.delete(index=f"{name}-audit")
            es.es.indices.delete_index_template(name=name)
            es.close()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
