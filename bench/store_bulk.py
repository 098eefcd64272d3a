"""Bulk indexing throughput: LureWatch's Elasticsearch store with every safety on, against a
plain ``elasticsearch.helpers.bulk`` of the same documents, same node, same run.

    .venv/bin/python bench/store_bulk.py [--n 20000] [--rounds 3]

Uses LUREWATCH_ES_URL when set, else starts its own node with scripts/es.sh (ES_PORT 9299,
deleted afterwards). Both sides get the same synthetic records (bench/store_synth.py) and
write into a fresh index each round with the same mapping and one refresh at the end:

* baseline: ``helpers.bulk`` of ``index`` actions, each the record's indexed form
  (``Record.to_dict`` → ``to_es``), computed lazily inside the timed call, chunks of 500, no
  retries, no checks; into a plain index created (untimed) with the store's mapping, 1 shard,
  0 replicas.
* LureWatch: ``ElasticsearchStore.upsert`` into a fresh alias layout made by ``setup()``
  (untimed; same mapping, 1 shard, 0 replicas), chunks of 500, with everything it always does:
  record validation, size check, rollover check, the alias's backing-index check, existence
  routing (``create`` for new ids; 409s read back and updated), retries with backoff, per-item
  errors and dead letter.

Both timings end after one ``refresh`` and are checked by a count; the client process's CPU
time (all threads) is reported too, per 1,000 documents (the node runs on the same machine,
so client CPU is taken from the node). One untimed warm-up round
of each side first (JIT, caches); then rounds alternate which side goes first. The ratio of
the median docs/s is reported (and the median of the per-round ratios). Goal >= 0.9.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from elasticsearch import Elasticsearch, helpers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.store_synth import posts  # noqa: E402
from pipeline.store.elasticsearch import ElasticsearchStore  # noqa: E402
from pipeline.store.es_bulk import RetryPolicy  # noqa: E402
from pipeline.store.es_docs import to_es  # noqa: E402
from pipeline.store.es_mapping import MAPPING  # noqa: E402

CHUNK = 500


@contextmanager
def node() -> Iterator[str]:
    given = os.environ.get("LUREWATCH_ES_URL", "").strip()
    if given:
        yield given
        return
    env = {**os.environ, "ES_PORT": os.environ.get("ES_PORT", "9299"), "ES_EPHEMERAL": "1"}
    proc = subprocess.run(["bash", str(ROOT / "scripts/es.sh"), "start"], env=env, capture_output=True,
                          text=True, check=True, timeout=300)
    try:
        yield proc.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/es.sh"), "stop"], env=env, capture_output=True,
                       check=False, timeout=120)


def baseline(es: Elasticsearch, records: list, name: str) -> tuple[float, float]:
    es.indices.create(index=name, mappings=MAPPING, settings={"number_of_shards": 1, "number_of_replicas": 0})
    started, cpu = time.perf_counter(), time.process_time()
    actions = ({"_index": name, "_id": r.id, "_source": to_es(r.to_dict())} for r in records)
    n, _ = helpers.bulk(es, actions, chunk_size=CHUNK)
    es.indices.refresh(index=name)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert n == len(records)
    assert es.count(index=name)["count"] == len(records)
    es.indices.delete(index=name)
    return len(records) / took, cpu


def lurewatch(url: str, records: list, name: str, data_dir: Path) -> tuple[float, float]:
    store = ElasticsearchStore(url, name, replicas=0, data_dir=data_dir, retry=RetryPolicy(chunk_size=CHUNK))
    store.setup()
    started, cpu = time.perf_counter(), time.process_time()
    result = store.upsert(records)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.created == len(records)
    assert store.count() == len(records)
    es = store.es
    es.indices.delete(index=f"{name}-d*")
    es.indices.delete(index=f"{name}-audit")
    es.indices.delete_index_template(name=name)
    store.close()
    return len(records) / took, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    records = list(posts(args.n))
    to_es(records[0].to_dict())  # warm-up: the gazetteer behind ``countries`` loads once
    with node() as url, tempfile.TemporaryDirectory() as tmp:
        es = Elasticsearch(url, request_timeout=120)
        es.cluster.health(wait_for_status="yellow", timeout="60s")
        base: list[tuple[float, float]] = []
        ours: list[tuple[float, float]] = []
        baseline(es, records[:2000], f"bench-warm-{uuid.uuid4().hex[:8]}")
        lurewatch(url, records[:2000], f"bench-warm-{uuid.uuid4().hex[:8]}", Path(tmp))
        for r in range(args.rounds):
            sides = [lambda: base.append(baseline(es, records, f"bench-base-{uuid.uuid4().hex[:8]}")),
                     lambda: ours.append(lurewatch(url, records, f"bench-lw-{uuid.uuid4().hex[:8]}", Path(tmp)))]
            for side in sides if r % 2 == 0 else sides[::-1]:
                side()
            print(f"round {r + 1}: baseline {base[-1][0]:.0f} docs/s, lurewatch {ours[-1][0]:.0f} docs/s",
                  file=sys.stderr)
        b, o = statistics.median(x for x, _ in base), statistics.median(x for x, _ in ours)
        per_k = 1000 / args.n * 1000  # seconds per run → ms per 1,000 docs
        print(json.dumps({
            "docs": args.n, "rounds": args.rounds, "baseline_docs_per_s": round(b),
            "lurewatch_docs_per_s": round(o), "ratio": round(o / b, 3),
            "paired_ratio_median": round(statistics.median(y[0] / x[0] for x, y in zip(base, ours, strict=True)), 3),
            "client_cpu_ms_per_1k_docs": {"baseline": round(statistics.median(c for _, c in base) * per_k),
                                          "lurewatch": round(statistics.median(c for _, c in ours) * per_k)},
            "baseline_all": [round(x) for x, _ in base], "lurewatch_all": [round(x) for x, _ in ours]}))


if __name__ == "__main__":
    main()
