"""The embedded store: one SQLite file with FTS5 (the one-machine default).

Tables (created by :meth:`SQLiteStore.setup`):

* ``records``: one row per record; columns for filter/sort fields, ``title``/``text`` and
  ``doc`` (the record JSON without title/text, which live in their columns).
* ``record_terms(record_id, field, value)``: list-valued filter fields
  (``indicators.id``, ``entities.value``), one row per distinct value.
* ``records_fts``: contentless FTS5 over title + text with Latin diacritics removed in
  Python (:func:`~pipeline.store.query.fold_latin`, which also folds ``đ``, unlike
  ``unicode61``), tokenizer ``unicode61 remove_diacritics 2``. Word terms are folded the
  same way, so ``luong`` finds ``lương`` and ``Đà`` finds ``Da``.
* ``records_tri``: FTS5 ``trigram`` over title + text, for substring terms in scripts
  written without spaces (``西港``, ``ค่าตอบแทน``); terms shorter than 3 characters fall back
  to ``LIKE``.
* ``audit``: one row per triage change.

``records_tri`` is an external-content table over ``records``; title and text are capture
fields and never change, so both FTS tables are written once, on insert (rowid = the
``records`` rowid). Highlights are computed in Python (:mod:`pipeline.store.highlight`).

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
from pipeline.store.lifecycle import RemovalEntry, applies, upsert_lifecycle
from pipeline.store.query import (
    FACET_SIZE,
    check_facets,
    facet_key,
    fold_latin,
    normalize_filters,
    parse_query,
    parse_sort,
)
from pipeline.store.triage import apply_changes, utc_now

_SCHEMA = """
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

#: Scalar filter fields → column.
_COLUMNS = {
    "source_id": "source_id",
    "source_kind": "source_kind",
    "partition": "partition",
    "flagged": "flagged",
    "lang": "lang",
    "triage.status": "triage_status",
}
#: List filter fields → (record field, item key), kept in ``record_terms``.
_LIST_FIELDS = {"indicators.id": ("indicators", "id"), "entities.value": ("entities", "value")}


def _sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


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
                conn.executescript(_SCHEMA)
            except sqlite3.Error as exc:
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
                    "UPDATE records SET lang = ?, flagged = ?, score = ?, doc = ? WHERE rowid = ?",
                    (d["lang"], _sql_value(d["flagged"]), d["score"], self._dump(doc), rowid),
                )
                conn.execute("DELETE FROM record_terms WHERE record_id = ?", (record.id,))
                self._insert_terms(conn, d)
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
                        "UPDATE records SET doc = ? WHERE rowid = ?", (self._dump(doc), rowid)
                    )
                    changed += 1
        return changed

    @staticmethod
    def _dump(doc: dict[str, Any]) -> str:
        return json.dumps(doc, ensure_ascii=False, sort_keys=True)

    def _insert(self, conn: sqlite3.Connection, d: dict[str, Any]) -> None:
        doc = {k: v for k, v in d.items() if k not in ("title", "text")}
        cur = conn.execute(
            "INSERT INTO records (id, source_id, source_kind, partition, fetched_at,"
            " published_at, lang, flagged, score, triage_status, triage_version, title, text,"
            " doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                d["id"], d["source_id"], d["source_kind"], d["partition"], d["fetched_at"],
                d["published_at"], d["lang"], _sql_value(d["flagged"]), d["score"],
                d["triage"]["status"], d["triage"]["version"], d["title"], d["text"],
                self._dump(doc),
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
        rows = {
            (d["id"], name, str(item[key]))
            for name, (list_field, key) in _LIST_FIELDS.items()
            for item in d[list_field]
        }
        conn.executemany(
            "INSERT OR IGNORE INTO record_terms (record_id, field, value) VALUES (?, ?, ?)", rows
        )

    # -- reads ---------------------------------------------------------------------------

    @staticmethod
    def _record(title: str | None, text: str, doc_json: str) -> Record:
        doc = json.loads(doc_json)
        doc["title"] = title
        doc["text"] = text
        return Record.from_dict(doc)

    def get(self, record_id: str) -> Record:
        with self._lock:
            row = self.conn.execute(
                "SELECT title, text, doc FROM records WHERE id = ?", (record_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no record with id {record_id!r}")
        return self._record(*row)

    def _where(self, query: str | None, filters: dict[str, Any] | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        terms = parse_query(query)
        if terms.words:
            clauses.append("r.rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)")
            params.append(" AND ".join(_fts_phrase(fold_latin(w)) for w in terms.words))
        for sub in terms.substrings:
            if len(sub) >= 3:
                clauses.append(
                    "r.rowid IN (SELECT rowid FROM records_tri WHERE records_tri MATCH ?)"
                )
                params.append(_fts_phrase(sub))
            else:
                clauses.append(
                    "(r.title LIKE ? ESCAPE '\\' OR r.text LIKE ? ESCAPE '\\')"
                )
                params += [_like(sub), _like(sub)]
        values, score_gte = normalize_filters(filters)
        for name, vals in values.items():
            present = [_sql_value(v) for v in vals if v is not None]
            alts: list[str] = []
            if name in _COLUMNS:
                col = f"r.{_COLUMNS[name]}"
                if present:
                    alts.append(f"{col} IN ({', '.join('?' * len(present))})")
                    params += present
                if None in vals:
                    alts.append(f"{col} IS NULL")
            else:
                if present:
                    marks = ", ".join("?" * len(present))
                    alts.append(
                        "r.id IN (SELECT record_id FROM record_terms"  # noqa: S608
                        f" WHERE field = ? AND value IN ({marks}))"
                    )
                    params += [name, *(str(v) for v in present)]
                if None in vals:
                    alts.append(
                        "r.id NOT IN (SELECT record_id FROM record_terms WHERE field = ?)"
                    )
                    params.append(name)
            clauses.append("(" + " OR ".join(alts) + ")")
        if score_gte is not None:
            clauses.append("r.score >= ?")
            params.append(score_gte)
        return (" AND ".join(clauses) or "1"), params

    def count(self, filters: dict[str, Any] | None = None) -> int:
        where, params = self._where(None, filters)
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
        where, params = self._where(query, filters)
        direction = "DESC" if desc else "ASC"
        order = f"r.{field} IS NULL, r.{field} {direction}, r.id ASC"
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
            facet_counts = {name: self._facet(conn, name, where, params) for name in facet_names}
        hits = [
            Hit(self._record(*row), highlight.fragments(row[0], row[1], terms)) for row in rows
        ]
        return SearchResult(total=int(total), hits=hits, facets=facet_counts)

    @staticmethod
    def _facet(
        conn: sqlite3.Connection, name: str, where: str, params: list[Any]
    ) -> dict[str, int]:
        if name in _COLUMNS:
            col = _COLUMNS[name]
            sql = (
                f"SELECT r.{col}, COUNT(*) AS n FROM records r WHERE {where}"  # noqa: S608
                f" AND r.{col} IS NOT NULL GROUP BY r.{col} ORDER BY n DESC, r.{col} LIMIT ?"
            )
            rows = conn.execute(sql, [*params, FACET_SIZE]).fetchall()
            if name == "flagged":
                return {facet_key(bool(v)): n for v, n in rows}
            return {facet_key(v): n for v, n in rows}
        sql = (
            "SELECT t.value, COUNT(*) AS n FROM record_terms t"  # noqa: S608
            f" JOIN records r ON r.id = t.record_id WHERE t.field = ? AND {where}"
            " GROUP BY t.value ORDER BY n DESC, t.value LIMIT ?"
        )
        rows = conn.execute(sql, [name, *params, FACET_SIZE]).fetchall()
        return {v: n for v, n in rows}

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
                "UPDATE records SET doc = ?, triage_status = ?, triage_version = ?"
                " WHERE id = ? AND triage_version = ?",
                (self._dump(doc), triage["status"], triage["version"], record_id, version),
            )
            if cur.rowcount != 1:  # cannot happen under the write lock; kept as a guard
                raise ConflictError(f"record {record_id} changed during the triage update")
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
