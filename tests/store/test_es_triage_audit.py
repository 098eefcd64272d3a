"""Triage audit entries in Elasticsearch are claimed before the record write: a change that
loses, or whose writer dies half-way, never leaves an audit entry claiming it; an orphan
claim does not block later changes. Against the real node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import elasticsearch
import pytest

from pipeline.store.base import ConflictError, StoreError
from pipeline.store.elasticsearch import ElasticsearchStore

from .conftest import FIXED_NOW, make_record

pytestmark = pytest.mark.elasticsearch


def open_store(url: str, index: str, tmp_path: Path, clock: Any = lambda: FIXED_NOW) -> ElasticsearchStore:
    store = ElasticsearchStore(url, index, replicas=0, data_dir=tmp_path, clock=clock)
    store.setup()
    return store


def audit_ids(store: ElasticsearchStore) -> list[str]:
    resp = store.es.search(index=store.audit_index, query={"match_all": {}}, size=100)
    return sorted(h["_id"] for h in resp["hits"]["hits"])


def test_change_that_loses_the_race_leaves_no_audit_entry(es_url: str, es_index: str, tmp_path: Path) -> None:
    rec = make_record("https://x.example/race", "visa paid")
    other = open_store(es_url, es_index, tmp_path)
    other.upsert([rec])
    raced = []

    def clock() -> str:  # another investigator's change lands between our read and our writes
        if not raced:
            raced.append(other.update_triage(rec.id, {"status": "in_review"}, expected_version=0, actor="bo"))
        return FIXED_NOW

    store = open_store(es_url, es_index, tmp_path, clock=clock)
    with pytest.raises(ConflictError, match="version 1, not 0"):
        store.update_triage(rec.id, {"status": "dismissed"}, expected_version=0, actor="ana")
    trail = store.audit(rec.id)
    assert [(e["version"], e["actor"], e["changes"]) for e in trail] == [(1, "bo", {"status": ["new", "in_review"]})]
    assert audit_ids(store) == [f"{rec.id}:1"]
    assert store.get(rec.id).triage.status == "in_review"


def test_orphan_claim_is_hidden_fenced_and_replaced(es_url: str, es_index: str, tmp_path: Path) -> None:
    """A writer claimed version 1 and stopped before writing the record (crash, lost node):
    the entry is not shown, the next change fences the record (the stalled write can no
    longer land), replaces the claim and is audited once."""
    rec = make_record("https://x.example/orphan", "visa paid")
    store = open_store(es_url, es_index, tmp_path)
    store.upsert([rec])
    es = store.es
    stalled = store._get(rec.id)  # what the stalled writer had read
    es.index(index=store.audit_index, id=f"{rec.id}:1", op_type="create", refresh=True,
             document={"record_id": rec.id, "version": 1, "actor": "ghost", "at": FIXED_NOW,
                       "changes": {"status": ["new", "dismissed"]}})
    assert store.audit(rec.id) == []  # the record never reached version 1

    store.update_triage(rec.id, {"status": "escalated"}, expected_version=0, actor="ana")
    trail = store.audit(rec.id)
    assert [(e["version"], e["actor"]) for e in trail] == [(1, "ana")]
    assert audit_ids(store) == [f"{rec.id}:1"]
    # the stalled writer wakes up: its guarded write cannot land any more
    with pytest.raises(elasticsearch.ConflictError):
        es.update(index=stalled["_index"], id=rec.id, if_seq_no=stalled["_seq_no"],
                  if_primary_term=stalled["_primary_term"],
                  doc={"triage": {**stalled["_source"]["triage"], "status": "dismissed", "version": 1}})
    got = store.get(rec.id)
    assert (got.triage.status, got.triage.version, got.triage.updated_by) == ("escalated", 1, "ana")


def test_record_write_failure_keeps_no_visible_entry(es_url: str, es_index: str, tmp_path: Path) -> None:
    """The record write is refused after the claim (here: the backing index is read-only):
    the error reaches the caller and audit() shows nothing for the change."""
    rec = make_record("https://x.example/blocked", "visa paid")
    store = open_store(es_url, es_index, tmp_path)
    store.upsert([rec])
    es = store.es
    backing = store._get(rec.id)["_index"]
    es.indices.put_settings(index=backing, settings={"index.blocks.write": True})
    try:
        with pytest.raises(StoreError, match="update triage"):
            store.update_triage(rec.id, {"status": "dismissed"}, expected_version=0, actor="ana")
        assert store.audit(rec.id) == []
    finally:
        es.indices.put_settings(index=backing, settings={"index.blocks.write": False})
    store.update_triage(rec.id, {"status": "in_review"}, expected_version=0, actor="bo")
    assert [(e["version"], e["actor"]) for e in store.audit(rec.id)] == [(1, "bo")]
