"""Upsert routing with one backing index (create first, 409s read back and updated, lookups
first while chunks are mostly existing records) over several chunks, against the real node."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline.records import Record
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.es_bulk import RetryPolicy
from pipeline.store.lifecycle import RemovalEntry

from .conftest import FIXED_NOW, make_record

pytestmark = pytest.mark.elasticsearch


def recs(n: int, start: int = 0) -> list[Record]:
    return [make_record(f"https://x.example/route/{i}", f"post {i} visa", score=0.1) for i in range(start, start + n)]


def test_mixed_chunks_update_existing_create_new_and_keep_removals(es_url: str, es_index: str,
                                                                   tmp_path: Path) -> None:
    store = ElasticsearchStore(es_url, es_index, replicas=0, data_dir=tmp_path, clock=lambda: FIXED_NOW,
                               retry=RetryPolicy(chunk_size=10))
    store.setup()
    old = recs(25)
    assert store.upsert(old).created == 25
    assert store.mark_removed([RemovalEntry("2025-02-02T00:00:00Z", "http 410", id=old[3].id)]) == 1
    # chunks: 10 existing (create → 409 → read back), 10 existing (looked up first),
    # 5 existing + 5 new, 10 new (create first again), plus a duplicate id within the call
    new = recs(15, start=25)
    rerun = [dataclasses.replace(r, score=0.8) for r in old]
    batch = [*rerun, *new, dataclasses.replace(new[0], score=0.95)]
    result = store.upsert(batch)
    assert (result.created, result.updated) == (15, 26)
    assert store.count() == 40
    assert len({r.id for r in store.scan()}) == 40
    assert store.get(old[3].id).lifecycle.status == "removed"  # captured before the removal
    assert store.get(old[3].id).score == 0.8
    assert store.get(new[0].id).score == 0.95
    assert {r.id for r in store.scan(filters={"score_gte": 0.8})} == {r.id for r in [*old, new[0]]}
    assert not store.dead.path.exists()
    store.close()
