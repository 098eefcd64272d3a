"""Real 429s (es_rejected_execution_exception): a node with one write thread and a write queue
of one rejects shard bulk requests as soon as writers overlap. Concurrent upserts are retried
with backoff until everything is written once; with no retries left the rejected records go
to the dead letter and a replay restores them. Runs its OWN node (scripts/es.sh with
ES_SETTINGS), never the session's."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.store.base import DeadLetterError
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.es_bulk import RetryPolicy
from tests.conftest import ES_SCRIPT, free_port

from .conftest import make_record

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

WRITERS, PER_WRITER = 4, 1500


def es_sh(command: str, port: int) -> str:
    env = {**os.environ, "ES_PORT": str(port), "ES_EPHEMERAL": "1",
           "ES_SETTINGS": "thread_pool.write.size=1 thread_pool.write.queue_size=1"}
    proc = subprocess.run(["bash", str(ES_SCRIPT), command], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


@pytest.fixture(scope="module")
def tiny_queue_node() -> Iterator[str]:
    port = free_port()
    url = es_sh("start", port)
    try:
        yield url
    finally:
        es_sh("stop", port)


def rejected(url: str) -> int:
    with Elasticsearch(url) as es:
        nodes = es.nodes.stats(metric="thread_pool")["nodes"]
        return sum(int(n["thread_pool"]["write"]["rejected"]) for n in nodes.values())


def concurrent_upserts(url: str, index: str, tmp_path: Path, retry: RetryPolicy
                       ) -> tuple[list[ElasticsearchStore], dict[int, Any], set[str]]:
    stores = [ElasticsearchStore(url, index, replicas=0, data_dir=tmp_path, retry=retry) for _ in range(WRITERS)]
    for s in stores:
        s.setup()
    batches = [[make_record(f"https://x.example/429/{w}/{i}", f"post {w} {i} visa") for i in range(PER_WRITER)]
               for w in range(WRITERS)]
    outcome: dict[int, Any] = {}

    def load(w: int) -> None:
        try:
            outcome[w] = stores[w].upsert(batches[w])
        except DeadLetterError as exc:
            outcome[w] = exc

    threads = [threading.Thread(target=load, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return stores, outcome, {r.id for b in batches for r in b}


def test_rejections_are_retried_until_everything_is_written_once(tiny_queue_node: str, tmp_path: Path) -> None:
    before = rejected(tiny_queue_node)
    retry = RetryPolicy(max_retries=12, initial_backoff=0.05, max_backoff=0.5, chunk_size=250)
    stores, outcome, ids = concurrent_upserts(tiny_queue_node, "lurewatch-429-retry", tmp_path, retry)
    assert rejected(tiny_queue_node) > before, "the node rejected nothing: no 429 was provoked"
    assert all(not isinstance(o, DeadLetterError) for o in outcome.values()), outcome
    assert sum(o.created for o in outcome.values()) == len(ids)
    got = [r.id for r in stores[0].scan()]
    assert len(got) == len(set(got)) == len(ids)
    assert set(got) == ids
    assert not stores[0].dead.path.exists()
    for s in stores:
        s.close()


def test_rejections_without_retries_are_dead_lettered_then_replayed(tiny_queue_node: str, tmp_path: Path) -> None:
    retry = RetryPolicy(max_retries=0, chunk_size=250)
    stores, outcome, ids = concurrent_upserts(tiny_queue_node, "lurewatch-429-dead", tmp_path, retry)
    errors = [o for o in outcome.values() if isinstance(o, DeadLetterError)]
    assert errors, "no writer was rejected: no 429 was provoked"
    dead = stores[0].dead.read()
    assert dead
    assert all(line["status"] == 429 or "429" in line["reason"] for line in dead), dead[:3]
    assert any("rejected" in line["reason"] for line in dead)
    for s in stores:
        s.close()
    again = ElasticsearchStore(tiny_queue_node, "lurewatch-429-dead", replicas=0, data_dir=tmp_path,
                               retry=RetryPolicy(max_retries=12, initial_backoff=0.05, max_backoff=0.5))
    again.setup()
    result = again.replay()
    assert result.failed == 0
    got = [r.id for r in again.scan()]
    assert len(got) == len(set(got)) == len(ids)
    assert set(got) == ids
    again.close()
