"""SQL for searching the SQLite store: the WHERE clause of a query and filters, facet
counts, and records from rows (see :mod:`pipeline.store.sqlite` for the tables).

SQL is composed only from whitelisted column names and ``?`` placeholders (hence the
``noqa: S608``); every value is a bound parameter.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pipeline.records import Record
from pipeline.store.query import FACET_SIZE, facet_key, fold_latin, normalize_filters, parse_query

#: Scalar filter fields → column.
COLUMNS = {
    "source_id": "source_id",
    "source_kind": "source_kind",
    "partition": "partition",
    "flagged": "flagged",
    "lang": "lang",
    "triage.status": "triage_status",
    "triage.label": "triage_label",
    "triage.assignee": "triage_assignee",
    "lifecycle.status": "lifecycle_status",
}
#: Range and sort fields → column.
RANGE_COLUMNS = {"score": "score", "fetched_at": "fetched_ms", "published_at": "published_ms"}


def sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def record(title: str | None, text: str, doc_json: str) -> Record:
    doc = json.loads(doc_json)
    doc["title"] = title
    doc["text"] = text
    return Record.from_dict(doc)


def where_clause(query: str | None, filters: dict[str, Any] | None) -> tuple[str, list[Any]]:
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
    spec = normalize_filters(filters)
    for name, vals in spec.values.items():
        present = [sql_value(v) for v in vals if v is not None]
        alts: list[str] = []
        if name in COLUMNS:
            col = f"r.{COLUMNS[name]}"
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
    for fld, (low, high) in spec.ranges.items():
        col = f"r.{RANGE_COLUMNS[fld]}"
        if low is not None:
            clauses.append(f"{col} >= ?")
            params.append(low)
        if high is not None:
            clauses.append(f"{col} <= ?")
            params.append(high)
    return (" AND ".join(clauses) or "1"), params


def facet(
    conn: sqlite3.Connection, name: str, where: str, params: list[Any]
) -> dict[str, int]:
    if name in COLUMNS:
        col = COLUMNS[name]
        sql = (
            f"SELECT r.{col}, COUNT(*) AS n FROM records r WHERE {where}"  # noqa: S608
            f" AND r.{col} IS NOT NULL GROUP BY r.{col} ORDER BY n DESC, r.{col} LIMIT ?"
        )
        rows = conn.execute(sql, [*params, FACET_SIZE]).fetchall()
        if name == "flagged":
            return {facet_key(bool(v)): n for v, n in rows}
        if name == "triage.label":
            return {str(int(v)): n for v, n in rows}
        return {facet_key(v): n for v, n in rows}
    sql = (
        "SELECT t.value, COUNT(*) AS n FROM record_terms t"  # noqa: S608
        f" JOIN records r ON r.id = t.record_id WHERE t.field = ? AND {where}"
        " GROUP BY t.value ORDER BY n DESC, t.value LIMIT ?"
    )
    rows = conn.execute(sql, [name, *params, FACET_SIZE]).fetchall()
    return {v: n for v, n in rows}
