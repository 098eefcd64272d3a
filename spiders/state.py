"""Incremental crawling: what each source's earlier crawls saw, and what has gone since.

State lives in one SQLite file per source, ``<LUREWATCH_STATE_DIR>/<source_id>.sqlite3``,
keyed by partition: ``observations`` (every record a crawl of that partition saw: canonical
URL, content hash, record id, fetch time, HTTP status, whether it was captured from its own
page and by which spider callback, its position in a numbered listing) and ``removals``
(posts found gone). The ``urls`` view gives per URL first/last seen, latest content hash,
latest status and latest removal.

**The idempotence rule.** A crawl of partition P compares only with partitions *before* P,
and on a clean finish replaces P's rows (never touching other partitions). So re-running P
against the same pages gives the same partition file and the same removals, however often it
runs; running P+1 later never changes P's result (a re-run of an *older* partition may change
what later partitions would be compared with, as it should).

* **Unchanged**: a record whose id (canonical URL + content hash) was observed in an earlier
  partition and whose URL was not found removed after that observation is counted
  ``lurewatch/unchanged`` and not written to the partition file (signal
  :data:`spiders.pipelines.record_unchanged`); it still counts as a scraped item, so the
  crawl-health monitors judge what the crawl found. A post back after a removal is new again.
* **Removed (HTTP)**: a URL whose latest earlier event is a live observation captured from its
  own page (a job/listing detail page) that now answers 404 or 410, whether it was still
  linked or re-checked. Live detail URLs no crawl path reached are re-checked when the spider
  goes idle, most recently seen first, at most ``LUREWATCH_RECHECK_LIMIT`` per run.
* **Removed (gone from channel)**: spiders whose records have a position in a numbered listing
  (``spider.sequence_position(record) -> (key, number)``; Telegram: channel, message id) report
  a live earlier post as gone when a page of this crawl lists numbers on both sides of it and
  no page lists it.

Removals are written (JSON lines, replaced atomically, only when the crawl finished) next to
the partition file: ``<partition>.removed.jsonl`` with ``id``, ``canonical_url``, ``url``,
``removed_at`` (fetch time of the evidence), ``reason`` (``http 410``, ``gone from channel``),
``http_status``, ``evidence_url``, ``warc_file`` and ``warc_record_id`` of the evidence response.

This module is the state file (:class:`CrawlState`); :mod:`spiders.incremental` is the spider
middleware that applies the rule during a crawl.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    partition TEXT NOT NULL,
    record_id TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    url TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    detail INTEGER NOT NULL,
    callback TEXT,
    seq_key TEXT,
    seq_no INTEGER,
    PRIMARY KEY (partition, record_id)
);
CREATE INDEX IF NOT EXISTS observations_url ON observations(canonical_url, partition);
CREATE TABLE IF NOT EXISTS removals (
    partition TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (partition, canonical_url)
);
CREATE VIEW IF NOT EXISTS urls AS
SELECT o.canonical_url,
       MIN(o.fetched_at) AS first_seen,
       MAX(o.fetched_at) AS last_seen,
       (SELECT l.content_sha256 FROM observations l WHERE l.canonical_url = o.canonical_url
         ORDER BY l.partition DESC, l.fetched_at DESC LIMIT 1) AS content_sha256,
       (SELECT l.http_status FROM observations l WHERE l.canonical_url = o.canonical_url
         ORDER BY l.partition DESC, l.fetched_at DESC LIMIT 1) AS last_status,
       (SELECT MAX(r.partition) FROM removals r WHERE r.canonical_url = o.canonical_url)
         AS removed_in
FROM observations o GROUP BY o.canonical_url;
"""


@dataclass
class Observation:
    """One record as a crawl saw it."""

    record_id: str
    canonical_url: str
    url: str
    content_sha256: str
    fetched_at: str
    http_status: int
    detail: bool
    callback: str | None = None
    seq_key: str | None = None
    seq_no: int | None = None


@dataclass
class Removal:
    """Evidence that a post is gone (one line of ``<partition>.removed.jsonl``)."""

    source_id: str
    partition: str
    canonical_url: str
    url: str
    removed_at: str
    reason: str
    id: str | None = None
    http_status: int | None = None
    evidence_url: str | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


@dataclass
class Earlier:
    """What partitions before the current one left live: record ids, and per URL its latest
    observations (the ones a removal applies to)."""

    live_ids: set[str] = field(default_factory=set)
    latest: dict[str, list[Observation]] = field(default_factory=dict)

    def detail_urls(self) -> list[Observation]:
        """Live URLs captured from their own page, most recently seen first."""
        obs = [o[0] for o in self.latest.values() if o[0].detail]
        return sorted(obs, key=lambda o: (o.fetched_at, o.canonical_url), reverse=True)

    def sequence(self, key: str) -> dict[int, Observation]:
        return {o.seq_no: o for obs in self.latest.values() for o in obs
                if o.seq_key == key and o.seq_no is not None}


class CrawlState:
    """The state file of one source. ``open()`` before use; every method is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def open(self) -> CrawlState:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.executescript(_SCHEMA)
        self._conn = conn
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("CrawlState is not open; call open() first")
        return self._conn

    def earlier(self, partition: str) -> Earlier:
        """State left by partitions before ``partition``: per URL, its latest partition's
        observations unless a removal came at or after them."""
        rows = self.conn.execute(
            "SELECT partition, record_id, canonical_url, url, content_sha256, fetched_at,"
            " http_status, detail, callback, seq_key, seq_no FROM observations"
            " WHERE partition < ? ORDER BY canonical_url, partition, fetched_at",
            (partition,),
        ).fetchall()
        removed = dict(self.conn.execute(
            "SELECT canonical_url, MAX(partition) FROM removals WHERE partition < ?"
            " GROUP BY canonical_url", (partition,),
        ).fetchall())
        by_url: dict[str, tuple[str, list[Observation]]] = {}
        for part, *rest in rows:
            obs = Observation(*rest[:6], detail=bool(rest[6]), callback=rest[7],
                              seq_key=rest[8], seq_no=rest[9])
            last = by_url.get(obs.canonical_url)
            if last is None or last[0] < part:
                by_url[obs.canonical_url] = (part, [obs])
            else:
                last[1].append(obs)
        out = Earlier()
        for url, (part, obs) in by_url.items():
            if url in removed and removed[url] >= part:
                continue
            out.latest[url] = sorted(obs, key=lambda o: (o.fetched_at, o.record_id), reverse=True)
            out.live_ids.update(o.record_id for o in obs)
        return out

    def replace_partition(self, partition: str, observations: list[Observation],
                          removals: list[Removal]) -> None:
        """Replace everything recorded for ``partition`` (one transaction)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM observations WHERE partition = ?", (partition,))
            conn.execute("DELETE FROM removals WHERE partition = ?", (partition,))
            conn.executemany(
                "INSERT OR REPLACE INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(partition, o.record_id, o.canonical_url, o.url, o.content_sha256, o.fetched_at,
                  o.http_status, int(o.detail), o.callback, o.seq_key, o.seq_no)
                 for o in observations],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO removals VALUES (?, ?, ?)",
                [(partition, r.canonical_url, r.to_json()) for r in removals],
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def removals_path(partition_file: Path) -> Path:
    """``<dir>/<partition>.removed.jsonl`` beside ``<dir>/<partition>.jsonl``."""
    return partition_file.with_name(partition_file.name.removesuffix(".jsonl") + ".removed.jsonl")


def write_atomic(path: Path, lines: list[str]) -> None:
    """Replace ``path`` with ``lines`` (one per line): a temporary file, fsynced, renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(line + "\n" for line in lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(name, 0o644)
        os.replace(name, path)
    finally:
        if os.path.exists(name):
            os.unlink(name)
