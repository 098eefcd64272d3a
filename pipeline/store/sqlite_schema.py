"""SQLite store schema and its migrations, tracked with ``PRAGMA user_version``.

:data:`MIGRATIONS` run in order from the database's version to :data:`SCHEMA_VERSION`, each in
one transaction with the version bump, so a crash leaves either the old or the new schema. A
database without a version (0) that already has the tables is a version-1 store made before
versions were recorded; version 1's DDL is idempotent, so the same path serves both.

* 1: records, record_terms, FTS5 tables (unicode61 over folded text; trigram), audit.
* 2: columns triage_label, triage_assignee, fetched_ms, published_ms, lifecycle_status (filters,
  date ranges and date sort); record_terms for country, triage.tags, entities.type and
  ``entity`` (``type:value`` for pivots); triage statuses renamed (reviewing → in_review,
  confirmed → actioned) and ``triage.tags`` added in stored records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from pipeline.records import upgrade
from pipeline.store.derived import countries, entity_keys
from pipeline.store.query import to_millis

SCHEMA_VERSION = 2

_V1 = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    partition TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    published_at TEXT,
    lang TEXT,
    flagged INTEGER,
    score REAL,
    triage_status TEXT NOT NULL,
    triage_version INTEGER NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_score ON records(score DESC, id);
CREATE INDEX IF NOT EXISTS records_partition ON records(partition);
CREATE INDEX IF NOT EXISTS records_source ON records(source_id);
CREATE INDEX IF NOT EXISTS records_canonical ON records(json_extract(doc, '$.canonical_url'));
CREATE TABLE IF NOT EXISTS record_terms (
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (record_id, field, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_terms_value ON record_terms(field, value);
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(
    title, text, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS records_tri USING fts5(
    title, text, content='records', content_rowid='rowid', tokenize='trigram'
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    changes TEXT NOT NULL,
    UNIQUE (record_id, version)
);
"""

_V2 = """
ALTER TABLE records ADD COLUMN triage_label INTEGER;
ALTER TABLE records ADD COLUMN triage_assignee TEXT;
ALTER TABLE records ADD COLUMN fetched_ms INTEGER;
ALTER TABLE records ADD COLUMN published_ms INTEGER;
ALTER TABLE records ADD COLUMN lifecycle_status TEXT;
CREATE INDEX records_fetched ON records(fetched_ms, id);
CREATE INDEX records_published ON records(published_ms, id);
CREATE INDEX records_triage ON records(triage_status, triage_label);
"""

#: List filter fields kept in ``record_terms``: field → values of a record dict.
TERM_FIELDS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "indicators.id": lambda d: [i["id"] for i in d.get("indicators") or []],
    "entities.value": lambda d: [e["value"] for e in d.get("entities") or []],
    "entities.type": lambda d: [e["type"] for e in d.get("entities") or []],
    "entity": entity_keys,
    "country": countries,
    "triage.tags": lambda d: list((d.get("triage") or {}).get("tags") or []),
}


def millis(value: Any) -> int | None:
    """Epoch ms of an ISO time, None when missing or unreadable (as Elasticsearch's
    ``ignore_malformed``)."""
    if not value:
        return None
    try:
        return to_millis(value)
    except ValueError:
        return None


def term_rows(d: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(d["id"], name, str(v)) for name, get in TERM_FIELDS.items() for v in get(d)}


def columns(d: dict[str, Any]) -> dict[str, Any]:
    """Values of the v2 filter columns for record dict ``d``."""
    triage = d.get("triage") or {}
    return {"triage_label": triage.get("label"), "triage_assignee": triage.get("assignee"),
            "fetched_ms": millis(d.get("fetched_at")), "published_ms": millis(d.get("published_at")),
            "lifecycle_status": (d.get("lifecycle") or {}).get("status", "live")}


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Each statement of ``script`` inside the current transaction (``executescript`` would
    commit it first)."""
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _migrate_2(conn: sqlite3.Connection) -> None:
    _run(conn, _V2)
    rows = conn.execute("SELECT rowid, doc FROM records").fetchall()
    for rowid, doc_json in rows:
        doc = upgrade(json.loads(doc_json))
        doc.setdefault("triage", {}).setdefault("tags", [])
        cols = columns(doc)
        conn.execute(
            "UPDATE records SET doc = ?, triage_status = ?, triage_label = ?, triage_assignee = ?,"
            " fetched_ms = ?, published_ms = ?, lifecycle_status = ? WHERE rowid = ?",
            (json.dumps(doc, ensure_ascii=False, sort_keys=True), doc["triage"].get("status", "new"),
             cols["triage_label"], cols["triage_assignee"], cols["fetched_ms"],
             cols["published_ms"], cols["lifecycle_status"], rowid),
        )
        conn.executemany("INSERT OR IGNORE INTO record_terms (record_id, field, value)"
                         " VALUES (?, ?, ?)", term_rows(doc))


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: lambda conn: _run(conn, _V1),
    2: _migrate_2,
}


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Bring ``conn`` (autocommit mode) to SCHEMA_VERSION; returns the versions applied.
    Raises sqlite3.Error; a database newer than this code raises RuntimeError."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"the store's schema is version {current}, newer than this LureWatch "
                           f"({SCHEMA_VERSION}); upgrade LureWatch")
    applied = []
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:  # another process did it
                conn.execute("COMMIT")
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(version)
    return applied
