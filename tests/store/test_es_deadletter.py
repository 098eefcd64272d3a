"""Retries, per-item errors, the dead-letter file and replay, against a real node."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.store.base import DeadLetterError
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.es_bulk import RetryPolicy

from .conftest import FAST_RETRY, make_record
from .test_es_layout import open_store, recs

pytestmark = pytest.mark.elasticsearch


def dead_lines(store: ElasticsearchStore) -> list[dict[str, Any]]:
    return store.dead.read()


def test_oversized_record_goes_to_dead_letter_with_a_clear_error(es_url: str, es_index: str,
                                                                 tmp_path: Any) -> None:
    small = RetryPolicy(max_retries=1, initial_backoff=0.01, max_doc_bytes=20_000)
    store = open_store(es_url, es_index, tmp_path, retry=small)
    big = make_record("https://x.example/big", "visa " * 10_000)
    ok = recs(3)
    with pytest.raises(DeadLetterError) as info:
        store.upsert([*ok, big])
    msg = str(info.value)
    assert "1 records were not written" in msg
    assert "(3 were)" in msg
    assert "document_too_large" in msg
    assert str(store.dead.path) in msg
    assert "lurewatch index --replay" in msg
    assert f"LUREWATCH_ES_INDEX={es_index}" in msg
    assert store.count() == 3
    [line] = dead_lines(store)
    assert (line["id"], line["status"], line["record"]["text"]) == (big.id, 413, big.text)
    # the limit is raised: replay sends it and empties the dead letter
    store.retry = dataclasses.replace(small, max_doc_bytes=5_000_000)
    result = store.replay()
    assert (result.read, result.sent, result.failed) == (1, 1, 0)
    assert not store.dead.path.exists()
    assert store.count() == 4
    assert store.replay().read == 0
    store.close()


def test_mapping_conflict_per_item_is_dead_lettered_with_the_reason(es_url: str, es_index: str,
                                                                    tmp_path: Any) -> None:
    store = open_store(es_url, es_index, tmp_path)
    bad = make_record("https://x.example/bad", "visa", http_status=10**12)  # valid JSON Schema, not an ES integer
    with pytest.raises(DeadLetterError, match=r"document_parsing_exception.*http_status") as info:
        store.upsert([*recs(2), bad])
    assert info.value.failed == 1
    [line] = dead_lines(store)
    assert line["status"] == 400
    assert "http_status" in line["reason"]
    assert store.count() == 2
    # replaying without fixing it fails again and keeps the line, with attempts counted
    result = store.replay()
    assert (result.sent, result.failed) == (0, 1)
    assert dead_lines(store)[0]["attempts"] == 2
    store.close()


def test_unreachable_node_dead_letters_everything_and_replay_restores_once(
    es_url: str, es_index: str, tmp_path: Any
) -> None:
    from tests.conftest import free_port

    down = ElasticsearchStore(f"http://127.0.0.1:{free_port()}", es_index, data_dir=tmp_path / "data",
                              retry=FAST_RETRY, request_timeout=2)
    down._es = Elasticsearch(down.url, request_timeout=2)  # setup() would fail: the node is down
    batch = recs(1200)
    started = time.monotonic()
    with pytest.raises(DeadLetterError, match="unavailable") as info:
        down.upsert(batch)
    assert time.monotonic() - started < 30
    assert info.value.failed == 1200
    assert len({line["id"] for line in dead_lines(down)}) == 1200
    down.close()
    # the node is back (here: the live node, same index and data directory)
    live = open_store(es_url, es_index, tmp_path)
    live.upsert(batch[:100])  # some of them had made it before the failure
    result = live.replay()
    assert (result.sent, result.failed) == (1200, 0)
    assert live.count() == 1200
    assert len({r.id for r in live.scan()}) == 1200
    assert not live.dead.path.exists()
    live.close()


def test_server_503_is_retried_with_backoff_until_it_succeeds(
    es_url: str, es_index: str, tmp_path: Any
) -> None:
    """A write index whose shard cannot be allocated answers 503 (unavailable shards); the bulk
    is retried with backoff and succeeds once the shard is allocated, nothing dead-lettered."""
    retry = RetryPolicy(max_retries=6, initial_backoff=0.3, max_backoff=1.0, bulk_timeout="300ms")
    store = open_store(es_url, es_index, tmp_path, retry=retry)
    es = store.es
    new = es.indices.rollover(alias=es_index, settings={
        "index.routing.allocation.require._name": "nowhere", "index.number_of_replicas": 0,
        "index.routing.allocation.enable": "all"}, wait_for_active_shards="0")["new_index"]

    def allocate() -> None:
        time.sleep(1.5)
        es.indices.put_settings(index=new, settings={"index.routing.allocation.require._name": None})

    t = threading.Thread(target=allocate)
    t.start()
    started = time.monotonic()
    try:
        result = store.upsert(recs(50))
    finally:
        t.join()
    assert time.monotonic() - started >= 1.4  # it could only succeed after the allocation
    assert result.created == 50
    assert es.count(index=new)["count"] == 50
    assert dead_lines(store) == []
    store.close()


def test_dead_letter_lines_are_json_with_reason_and_time(es_url: str, es_index: str, tmp_path: Any) -> None:
    store = open_store(es_url, es_index, tmp_path)
    bad = make_record("https://x.example/bad2", "visa", http_status=-(10**12))
    with pytest.raises(DeadLetterError):
        store.upsert([bad])
    raw = store.dead.path.read_text("utf-8").splitlines()
    line = json.loads(raw[0])
    assert set(line) == {"id", "index", "status", "reason", "at", "attempts", "record"}
    assert (line["index"], line["at"], line["attempts"]) == (es_index, "2025-03-01T12:00:00.000Z", 1)
    store.close()
