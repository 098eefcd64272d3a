"""Elasticsearch stopped in the middle of a bulk load: retries, dead letter, a clear error,
restart, replay; afterwards every record is present exactly once. Runs its OWN node (started
and stopped with scripts/es.sh on a free port), never the session's."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.records import Record
from pipeline.store.base import DeadLetterError
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.es_bulk import RetryPolicy
from tests.conftest import ES_SCRIPT, free_port

from .conftest import make_record

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

N = 6000


def es_sh(command: str, port: int, *, ephemeral: bool) -> str:
    env = {**os.environ, "ES_PORT": str(port), "ES_EPHEMERAL": "1" if ephemeral else "0"}
    proc = subprocess.run(["bash", str(ES_SCRIPT), command], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


@pytest.fixture
def own_node() -> Iterator[tuple[str, int]]:
    port = free_port()
    url = es_sh("start", port, ephemeral=True)
    try:
        yield url, port
    finally:
        es_sh("stop", port, ephemeral=True)  # also deletes its data


def slow_records(records: list[Record], every: int = 200, pause: float = 0.05) -> Iterator[Record]:
    for n, r in enumerate(records):
        if n and n % every == 0:
            time.sleep(pause)
        yield r


def indexed_so_far(es: Elasticsearch, index: str) -> int:
    """Documents written so far (indexing counter; needs no refresh)."""
    try:
        stats = es.indices.stats(index=index, metric="indexing")
    except Exception:  # noqa: BLE001 (the node may be going down)
        return -1
    return int(stats["_all"]["primaries"]["indexing"]["index_total"])


def test_node_stopped_mid_bulk_then_replay_restores_everything_once(
    own_node: tuple[str, int], tmp_path: Any
) -> None:
    url, port = own_node
    index = "lurewatch-faults"
    retry = RetryPolicy(max_retries=3, initial_backoff=0.2, max_backoff=1.0, chunk_size=200)
    records = [make_record(f"https://x.example/fault/{i}", f"post {i} visa paid", score=i / N)
               for i in range(N)]
    store = ElasticsearchStore(url, index, replicas=0, data_dir=tmp_path, retry=retry,
                               request_timeout=5)
    store.setup()
    outcome: dict[str, Any] = {}

    def load() -> None:
        try:
            outcome["result"] = store.upsert(slow_records(records))
        except DeadLetterError as exc:
            outcome["error"] = exc

    loader = threading.Thread(target=load)
    watcher = Elasticsearch(url, request_timeout=5)
    loader.start()
    deadline = time.monotonic() + 120
    while indexed_so_far(watcher, index) < N // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = indexed_so_far(watcher, index)
    es_sh("stop", port, ephemeral=False)  # keep the data: the node comes back below
    loader.join(timeout=180)
    watcher.close()
    assert not loader.is_alive()
    assert N // 4 <= seen < N, "the node was not stopped in the middle of the load"
    error = outcome.get("error")
    assert isinstance(error, DeadLetterError), outcome
    msg = str(error)
    assert "unavailable" in msg
    assert str(store.dead.path) in msg
    assert "lurewatch index --replay" in msg
    dead = store.dead.read()
    assert 0 < len(dead) == error.failed < N
    assert all("unavailable" in line["reason"].lower() for line in dead)
    store.close()

    es_sh("start", port, ephemeral=False)
    again = ElasticsearchStore(url, index, replicas=0, data_dir=tmp_path, retry=retry)
    again.setup()
    result = again.replay()
    assert (result.sent, result.failed) == (len({d["id"] for d in dead}), 0)
    assert not again.dead.path.exists()
    ids = [r.id for r in again.scan()]
    assert again.count() == len(ids) == len(set(ids)) == N
    assert set(ids) == {r.id for r in records}
    again.close()
