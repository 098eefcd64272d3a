"""The embedded store: one SQLite file with FTS5 (the one-machine default).

Tables (created by :meth:`SQLiteStore.setup`):

* ``records``: one row per record; columns for filter/sort fields, ``title``/``text`` and
  ``doc`` (the record JSON without title/text, which live in their columns).
* ``record_terms(record_id, field, value)``: list-valued filter fields (``indicators.id``,
  ``entities.value``, ``entities.type``, ``country``, ``triage.tags``, ``entity`` =
  ``type:value`` for pivots), one row per distinct value.
* ``records_fts``: contentless FTS5 over title + text with Latin diacritics removed in
  Python (:func:`~pipeline.store.query.fold_latin`, which also folds ``đ``, unlike
  ``unicode61``), tokenizer ``unicode61 remove_diacritics 2``. Word terms are folded the
  same way, so ``luong`` finds ``lương`` and ``Đà`` finds ``Da``.
* ``records_tri``: FTS5 ``trigram`` over title + text, for substring terms in scripts
  written without spaces (``西港``, ``ค่าตอบแทน``); terms shorter than 3 characters fall back
  to ``LIKE``.
* ``audit``: one row per triage change (append-only).

The schema is versioned (``PRAGMA user_version``) and migrated in order on ``setup()``
(:mod:`pipeline.store.sqlite_schema`). Triage uses optimistic concurrency on the
``triage_version`` column (compare-and-set inside a write transaction).

``records_tri`` is an external-content table over ``records``; title and text are capture
fields and never change, so both FTS tables are written once, on insert (rowid = the
``records`` rowid). Highlights are computed in Python (:mod:`pipeline.store.highlight`);
the WHERE clauses and facet queries live in :mod:`pipeline.store.sqlite_search`.

SQL is composed only from whitelisted column names and ``?`` placeholders (hence the
``noqa: S608``); every value is a bound parameter.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.records import Record, validate
from pipeline.store import highlight
from pipeline.store.base import (
    DERIVED_FIELDS,
    ConflictError,
    Hit,
    NotFoundError,
    SearchResult,
    StoreError,
    UpsertResult,
)
from pipeline.store.derived import entity_key
from pipeline.store.lifecycle import RemovalEntry, applies, upsert_lifecycle
from pipeline.store.query import (
    check_facets,
    fold_latin,
    parse_query,
    parse_sort,
)
from pipeline.store.sqlite_schema import columns, migrate, term_rows
from pipeline.store.sqlite_search import RANGE_COLUMNS, facet, record, sql_value, where_clause
from pipeline.store.triage import apply_changes, utc_now


class SQLiteStore:
    """Store backed by one SQLite file (WAL mode). Safe to share between threads."""

    def __init__(self, path: Path | str, *, clock: Callable[[], str] = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    # -- lifecycle -----------------------------------------------------------------------

    def setup(self) -> None:
        if self._conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=10000")
                migrate(conn)
            except (sqlite3.Error, RuntimeError) as exc:
                raise StoreError(
                    f"cannot open the SQLite store at {self.path}: {exc}; "
                    "check LUREWATCH_DATA_DIR is a writable directory"
                ) from exc
            self._conn = conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the SQLite store is not open; call setup() first")
        return self._conn

    @contextmanager
    def _tx(self, mode: str = "") -> Iterator[sqlite3.Connection]:
        """One transaction (``IMMEDIATE`` takes the write lock up front)."""
        with self._lock:
            conn = self.conn
            try:
                conn.execute(f"BEGIN {mode}")
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    # -- writes --------------------------------------------------------------------------

    def upsert(self, records: Iterable[Record]) -> UpsertResult:
        """Insert new records; on existing ids replace only DERIVED_FIELDS. ``updated``
        counts existing records whose derived fields changed. One transaction: an invalid
        record (RecordError) writes nothing."""
        result = UpsertResult()
        with self._tx("IMMEDIATE") as conn:
            for record in records:
                d = record.to_dict()
                validate(d)
                row = conn.execute(
                    "SELECT rowid, doc FROM records WHERE id = ?", (record.id,)
                ).fetchone()
                if row is None:
                    self._insert(conn, d)
                    result.created += 1
                    continue
                rowid, doc_json = row
                doc = json.loads(doc_json)
                derived = {k: d[k] for k in DERIVED_FIELDS}
                derived["lifecycle"] = upsert_lifecycle(doc.get("lifecycle"), d)
                if all(doc.get(k) == v for k, v in derived.items()):
                    continue
                doc.update(derived)
                conn.execute(
                    "UPDATE records SET lang = ?, flagged = ?, score = ?, lifecycle_status = ?,"
                    " doc = ? WHERE rowid = ?",
                    (d["lang"], sql_value(d["flagged"]), d["score"], doc["lifecycle"]["status"],
                     self._dump(doc), rowid),
                )
                conn.execute("DELETE FROM record_terms WHERE record_id = ?", (record.id,))
                self._insert_terms(conn, doc)
                result.updated += 1
        return result

    def mark_removed(self, entries: Iterable[RemovalEntry]) -> int:
        """Mark matching live records removed (rules: :mod:`pipeline.store.lifecycle`);
        one transaction. Returns the number of records changed."""
        changed = 0
        with self._tx("IMMEDIATE") as conn:
            for entry in entries:
                rows = conn.execute(
                    "SELECT rowid, doc FROM records"
                    " WHERE id = ? OR json_extract(doc, '$.canonical_url') = ?",
                    (entry.id, entry.canonical_url),
                ).fetchall()
                for rowid, doc_json in rows:
                    doc = json.loads(doc_json)
                    if not applies(entry, doc):
                        continue
                    doc["lifecycle"] = entry.lifecycle()
                    conn.execute(
                        "UPDATE records SET doc = ?, lifecycle_status = ? WHERE rowid = ?",
                        (self._dump(doc), doc["lifecycle"]["status"], rowid),
                    )
                    changed += 1
        return changed

    @staticmethod
    def _dump(doc: dict[str, Any]) -> str:
        return json.dumps(doc, ensure_ascii=False, sort_keys=True)

    def _insert(self, conn: sqlite3.Connection, d: dict[str, Any]) -> None:
        doc = {k: v for k, v in d.items() if k not in ("title", "text")}
        cols = columns(d)
        cur = conn.execute(
            "INSERT INTO records (id, source_id, source_kind, partition, fetched_at,"
            " published_at, lang, flagged, score, triage_status, triage_version, title, text,"
            " doc, triage_label, triage_assignee, fetched_ms, published_ms, lifecycle_status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                d["id"], d["source_id"], d["source_kind"], d["partition"], d["fetched_at"],
                d["published_at"], d["lang"], sql_value(d["flagged"]), d["score"],
                d["triage"]["status"], d["triage"]["version"], d["title"], d["text"],
                self._dump(doc), cols["triage_label"], cols["triage_assignee"],
                cols["fetched_ms"], cols["published_ms"], cols["lifecycle_status"],
            ),
        )
        conn.execute(
            "INSERT INTO records_fts (rowid, title, text) VALUES (?, ?, ?)",
            (cur.lastrowid, fold_latin(d["title"] or ""), fold_latin(d["text"])),
        )
        conn.execute(
            "INSERT INTO records_tri (rowid, title, text) VALUES (?, ?, ?)",
            (cur.lastrowid, d["title"] or "", d["text"]),
        )
        self._insert_terms(conn, d)

    @staticmethod
    def _insert_terms(conn: sqlite3.Connection, d: dict[str, Any]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO record_terms (record_id, field, value) VALUES (?, ?, ?)",
            term_rows(d),
        )

    # -- reads ---------------------------------------------------------------------------

    def get(self, record_id: str) -> Record:
        with self._lock:
            row = self.conn.execute(
                "SELECT title, text, doc FROM records WHERE id = ?", (record_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no record with id {record_id!r}")
        return record(*row)

    def count(self, filters: dict[str, Any] | None = None) -> int:
        where, params = where_clause(None, filters)
        with self._lock:
            row = self.conn.execute(
                f"SELECT COUNT(*) FROM records r WHERE {where}", params  # noqa: S608
            ).fetchone()
        return int(row[0])

    def search(
        self,
        query: str | None = None,
        *,
        filters: dict[str, Any] | None = None,
        facets: Iterable[str] = (),
        sort: str = "-score",
        size: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        field, desc = parse_sort(sort)
        facet_names = check_facets(facets)
        where, params = where_clause(query, filters)
        col = RANGE_COLUMNS[field]
        order = f"r.{col} IS NULL, r.{col} {'DESC' if desc else 'ASC'}, r.id ASC"
        terms = parse_query(query)
        with self._lock:
            conn = self.conn
            total = conn.execute(
                f"SELECT COUNT(*) FROM records r WHERE {where}", params  # noqa: S608
            ).fetchone()[0]
            rows = conn.execute(
                f"SELECT title, text, doc FROM records r WHERE {where}"  # noqa: S608
                f" ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, size, offset],
            ).fetchall()
            facet_counts = {name: facet(conn, name, where, params) for name in facet_names}
        hits = [
            Hit(record(*row), highlight.fragments(row[0], row[1], terms)) for row in rows
        ]
        return SearchResult(total=int(total), hits=hits, facets=facet_counts)

    def scan(self, query: str | None = None, *, filters: dict[str, Any] | None = None,
             sort: str = "-score", page: int = 1000) -> Iterator[Record]:
        """Every match in ``sort`` order, by keyset pages (no OFFSET): each page continues
        after the last (missing-last, value, id) key of the one before."""
        field, desc = parse_sort(sort)
        col = f"r.{RANGE_COLUMNS[field]}"
        where, params = where_clause(query, filters)
        cmp = "<" if desc else ">"
        last: tuple[Any, str] | None = None
        while True:
            extra, extra_params = "", []
            if last is not None:
                value, rid = last
                if value is None:
                    extra = f" AND {col} IS NULL AND r.id > ?"
                    extra_params = [rid]
                else:
                    extra = (f" AND ({col} IS NULL OR {col} {cmp} ? OR ({col} = ? AND r.id > ?))")
                    extra_params = [value, value, rid]
            with self._lock:
                rows = self.conn.execute(
                    f"SELECT title, text, doc, {col}, r.id FROM records r"  # noqa: S608
                    f" WHERE {where}{extra} ORDER BY {col} IS NULL, {col}"
                    f" {'DESC' if desc else 'ASC'}, r.id ASC LIMIT ?",
                    [*params, *extra_params, page],
                ).fetchall()
            for title, text, doc, _, _ in rows:
                yield record(title, text, doc)
            if len(rows) < page:
                return
            last = (rows[-1][3], rows[-1][4])

    def pivot(self, entity_value: str, entity_type: str | None = None, *,
              size: int = 1000) -> SearchResult:
        field, value = (("entity", entity_key(entity_type, entity_value)) if entity_type
                        else ("entities.value", entity_value))
        where = "r.id IN (SELECT record_id FROM record_terms WHERE field = ? AND value = ?)"
        params: list[Any] = [field, value]
        with self._lock:
            conn = self.conn
            total = conn.execute(f"SELECT COUNT(*) FROM records r WHERE {where}",  # noqa: S608
                                 params).fetchone()[0]
            rows = conn.execute(
                f"SELECT title, text, doc FROM records r WHERE {where}"  # noqa: S608
                " ORDER BY r.fetched_ms IS NULL, r.fetched_ms, r.id LIMIT ?", [*params, size],
            ).fetchall()
            facets = {name: facet(conn, name, where, params) for name in ("source_id", "country")}
        return SearchResult(total=int(total), hits=[Hit(record(*row)) for row in rows],
                            facets=facets)

    def queue(self, *, partition: str | None = None, size: int = 50) -> list[Record]:
        filters: dict[str, Any] = {"flagged": True}
        if partition is not None:
            filters["partition"] = partition
        return [h.record for h in self.search(filters=filters, sort="-score", size=size).hits]

    # -- triage --------------------------------------------------------------------------

    def update_triage(
        self, record_id: str, changes: dict[str, Any], *, expected_version: int, actor: str
    ) -> Record:
        with self._tx("IMMEDIATE") as conn:
            row = conn.execute(
                "SELECT title, text, doc, triage_version FROM records WHERE id = ?", (record_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no record with id {record_id!r}")
            title, text, doc_json, version = row
            if version != expected_version:
                raise ConflictError(
                    f"record {record_id} triage is at version {version}, not {expected_version}:"
                    " someone else changed it; reload and retry"
                )
            doc = json.loads(doc_json)
            triage, entry = apply_changes(doc["triage"], changes, actor=actor, at=self.clock())
            doc["triage"] = triage
            cur = conn.execute(
                "UPDATE records SET doc = ?, triage_status = ?, triage_version = ?,"
                " triage_label = ?, triage_assignee = ? WHERE id = ? AND triage_version = ?",
                (self._dump(doc), triage["status"], triage["version"], triage.get("label"),
                 triage.get("assignee"), record_id, version),
            )
            if cur.rowcount != 1:  # cannot happen under the write lock; kept as a guard
                raise ConflictError(f"record {record_id} changed during the triage update")
            conn.execute("DELETE FROM record_terms WHERE record_id = ? AND field = 'triage.tags'",
                         (record_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO record_terms (record_id, field, value) VALUES (?, ?, ?)",
                [(record_id, "triage.tags", t) for t in triage.get("tags") or []],
            )
            conn.execute(
                "INSERT INTO audit (record_id, version, actor, at, changes) VALUES (?, ?, ?, ?, ?)",
                (record_id, entry["version"], entry["actor"], entry["at"],
                 json.dumps(entry["changes"], ensure_ascii=False)),
            )
        doc["title"], doc["text"] = title, text
        return Record.from_dict(doc)

    def audit(self, record_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT version, actor, at, changes FROM audit WHERE record_id = ? ORDER BY seq",
                (record_id,),
            ).fetchall()
        return [
            {"record_id": record_id, "version": v, "actor": a, "at": at, "changes": json.loads(c)}
            for v, a, at, c in rows
        ]
