"""SQLite schema migrations: a store written by the version-1 schema opens, migrates in order
and answers the new filters; a newer schema is refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pipeline.store.base import StoreError
from pipeline.store.sqlite import SQLiteStore
from pipeline.store.sqlite_schema import SCHEMA_VERSION, migrate

V1 = Path(__file__).parent / "data" / "store_v1.sqlite3"
VI, EN, ZH = "6d3aac0ca8e858614b77ccfc59ee3f86", "5967c0c40a0f34ee3b36f3a27701ac7a", "c88fb8928f1c93225809caca9ec8efda"


@pytest.fixture
def v1_store(tmp_path: Any) -> SQLiteStore:
    path = tmp_path / "store.sqlite3"
    shutil.copy(V1, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert "fetched_ms" not in {r[1] for r in conn.execute("PRAGMA table_info(records)")}
    store = SQLiteStore(path)
    store.setup()
    return store


def test_v1_store_is_migrated_and_keeps_everything(v1_store: SQLiteStore) -> None:
    s = v1_store
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert s.count() == 3
    vi, zh = s.get(VI), s.get(ZH)
    assert (vi.triage.status, vi.triage.assignee, vi.triage.version, vi.triage.tags) == ("in_review", "ana", 1, [])
    assert (zh.triage.status, zh.triage.label) == ("actioned", 1)
    assert s.get(EN).lifecycle.status == "removed"
    # old and new filters, full text and audit all work on migrated rows
    assert s.count({"triage.status": "in_review"}) == 1
    assert s.count({"triage.label": [0, 1]}) == 1
    assert s.count({"lifecycle.status": "removed"}) == 1
    assert s.count({"country": "KH"}) == 1
    assert s.count({"published_from": "2025-01-30", "published_to": "2025-01-30"}) == 1
    assert {h.record.id for h in s.search("luong").hits} == {VI}
    assert {h.record.id for h in s.search("西港").hits} == {ZH}
    assert {h.record.id for h in s.pivot("@hr_xg", "telegram").hits} == {VI, EN}
    assert [e["actor"] for e in s.audit(VI)] == ["ana"]
    assert [r.id for r in s.scan(filters={"triage.label": [0, 1]})] == [ZH]
    s.update_triage(VI, {"tags": ["kh"]}, expected_version=1, actor="bo")
    assert s.count({"triage.tags": "kh"}) == 1


def test_migration_is_idempotent_and_recorded(v1_store: SQLiteStore) -> None:
    assert migrate(v1_store.conn) == []
    v1_store.close()
    v1_store.setup()
    assert v1_store.count() == 3


def test_fresh_store_runs_every_migration(tmp_path: Any) -> None:
    conn = sqlite3.connect(tmp_path / "new.sqlite3", isolation_level=None)
    assert migrate(conn) == list(range(1, SCHEMA_VERSION + 1))
    conn.close()


def test_newer_schema_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this LureWatch"):
        SQLiteStore(path).setup()
