"""The production store: Elasticsearch 9, time-based indices behind one alias.

Uses only the server core (Elastic's minimal integ-test-zip node works): no scripts, no
``_update_by_query``, no analysis-common, no ILM, no ``GET /``. Layout, template versions,
rollover and migrations: :mod:`pipeline.store.es_mapping`; bulk retries:
:mod:`pipeline.store.es_bulk`; queries: :mod:`pipeline.store.es_search`.

* Upsert (:mod:`pipeline.store.es_upsert`): new ids are ``create``d, existing ones get an
  ``update`` of the derived fields in the backing index that holds them, so re-running a day
  after a rollover never duplicates. Before a bulk the write index is rolled over if a
  :class:`RolloverPolicy` threshold is reached. Records still failing after retries, or
  rejected (mapping conflict, too large), go to the dead-letter file
  (:mod:`pipeline.store.deadletter`) and the call raises DeadLetterError naming the file and
  the ``lurewatch index --replay`` command. One refresh per call makes the writes searchable
  when it returns.
* Triage (:mod:`pipeline.store.es_triage`) and mark_removed address the concrete index with
  ``if_seq_no``/``if_primary_term``; the triage audit entry (``<index>-audit``, id
  ``<record id>:<version>``) is claimed before the record write and released if it loses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch

from pipeline.records import Record
from pipeline.store import es_bulk, es_search
from pipeline.store.base import (
    DeadLetterError,
    NotFoundError,
    SearchResult,
    StoreError,
    UpsertResult,
)
from pipeline.store.deadletter import DeadLetter
from pipeline.store.es_bulk import RetryPolicy
from pipeline.store.es_docs import from_es, redact
from pipeline.store.es_mapping import RolloverPolicy, ensure_layout, rollover
from pipeline.store.es_triage import Triage
from pipeline.store.es_upsert import BulkUpsert, chunks, locate
from pipeline.store.lifecycle import RemovalEntry, applies
from pipeline.store.triage import utc_now


@dataclass
class ReplayResult:
    read: int
    sent: int
    failed: int
    path: Path


class ElasticsearchStore:
    """Store backed by Elasticsearch 9 (see module docstring). ``replicas=None`` keeps the
    cluster default; ``data_dir`` holds the dead-letter file ``deadletter/<index>.jsonl``."""

    def __init__(
        self,
        url: str,
        index: str,
        *,
        replicas: int | None = None,
        request_timeout: float = 30.0,
        clock: Callable[[], str] = utc_now,
        retry: RetryPolicy | None = None,
        rollover_policy: RolloverPolicy | None = None,
        data_dir: Path | str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.index = index
        self.audit_index = f"{index}-audit"
        self.replicas = replicas
        self.request_timeout = request_timeout
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.rollover_policy = rollover_policy or RolloverPolicy()
        self.data_dir = Path(data_dir) if data_dir is not None else Path("lurewatch-data").resolve()
        self.dead = DeadLetter(self.data_dir / "deadletter" / f"{index}.jsonl")
        self.sleep = sleep
        self._es: Elasticsearch | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> ElasticsearchStore:
        """The store ``settings`` (pipeline.settings.Settings) describe."""
        return cls(
            settings.es_url, settings.es_index, data_dir=settings.data_dir,
            retry=RetryPolicy(max_retries=settings.es_retries,
                              initial_backoff=settings.es_backoff,
                              max_backoff=settings.es_backoff_max,
                              max_doc_bytes=settings.es_max_doc_bytes),
            rollover_policy=RolloverPolicy(max_docs=settings.es_rollover_max_docs or None,
                                           max_age=settings.es_rollover_max_age or None,
                                           max_primary_shard_size=settings.es_rollover_max_size
                                           or None),
        )

    # -- plumbing ------------------------------------------------------------------------

    @property
    def es(self) -> Elasticsearch:
        if self._es is None:
            raise StoreError("the Elasticsearch store is not open; call setup() first")
        return self._es

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn client errors into StoreError with a message that says what to do."""
        where = redact(self.url)
        try:
            yield
        except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
            raise StoreError(
                f"cannot {doing}: is Elasticsearch running at {where}? "
                "Start it (scripts/es.sh start) or unset LUREWATCH_ES_URL to use the embedded "
                f"SQLite store. ({type(exc).__name__}: {exc})"
            ) from exc
        except elasticsearch.ApiError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            raise StoreError(
                f"Elasticsearch at {where} refused to {doing}: {exc.status_code} "
                f"{es_bulk.reason({'error': body.get('error') or exc.message})}"
            ) from exc
        except elasticsearch.TransportError as exc:
            raise StoreError(f"cannot {doing} at {where}: {exc}") from exc

    def _today(self) -> str:
        return self.clock()[:10]

    # -- lifecycle -----------------------------------------------------------------------

    def setup(self) -> None:
        """Connect, wait for the cluster (yellow, 30 s), install/upgrade the template, the
        alias and the audit index (idempotent; migrates older layouts)."""
        if self._es is None:
            self._es = Elasticsearch(self.url, request_timeout=self.request_timeout,
                                     max_retries=2, retry_on_timeout=True)
        with self._errors("check cluster health"):
            self.es.cluster.health(wait_for_status="yellow", timeout="30s")
        with self._errors(f"set up the index template and alias {self.index}"):
            ensure_layout(self.es, self.index, self.replicas, self._today())

    def rollover(self, *, force: bool = False) -> str | None:
        """Roll the write index over if a threshold is reached (or ``force``); returns the
        new backing index or None."""
        with self._errors(f"roll over {self.index}"):
            return rollover(self.es, self.index, self.rollover_policy, self._today(), force=force)

    def close(self) -> None:
        if self._es is not None:
            self._es.close()
            self._es = None

    # -- writes --------------------------------------------------------------------------

    def upsert(self, records: Iterable[Record]) -> UpsertResult:
        """Upsert in chunks (see module docstring). ``updated`` counts existing records whose
        derived fields changed. A chunk with an invalid record (RecordError) is not written;
        earlier chunks are. Raises DeadLetterError after writing what could be written."""
        result, dead = self._upsert(records)
        if dead:
            self.dead.append(dead)
            raise self._dead_letter_error(dead, result)
        return result

    def _dead_letter_error(self, dead: list[dict[str, Any]], result: UpsertResult) -> DeadLetterError:
        first = dead[0]
        hint = (f"LUREWATCH_ES_URL={redact(self.url)} LUREWATCH_ES_INDEX={self.index} "
                f"LUREWATCH_DATA_DIR={self.data_dir} lurewatch index --replay")
        return DeadLetterError(
            f"{len(dead)} records were not written to Elasticsearch index {self.index} at "
            f"{redact(self.url)} ({result.created + result.updated} were); first: {first['id']}: "
            f"{first['reason']}. They are saved in the dead-letter file {self.dead.path}. Fix "
            f"the cause, then send them again with: {hint}",
            path=self.dead.path, failed=len(dead),
        )

    def _entry(self, d: dict[str, Any], status: int | None, reason: str) -> dict[str, Any]:
        return {"id": d["id"], "index": self.index, "status": status, "reason": reason,
                "at": self.clock(), "attempts": 1, "record": d}

    def _upsert(self, records: Iterable[Record]) -> tuple[UpsertResult, list[dict[str, Any]]]:
        return BulkUpsert(self.es, self.index, self.retry, self.rollover_policy, self._today(),
                          self._entry, self.sleep).run(records)

    def replay(self, progress: Callable[[int, int], None] | None = None) -> ReplayResult:
        """Send the dead-letter file's records again (idempotent upserts); lines that fail
        again stay in the file with their new reason and ``attempts`` + 1."""
        with self.dead.take() as (entries, still):
            latest = {e["id"]: e for e in entries}
            done = 0
            for chunk in chunks(list(latest.values()), self.retry.chunk_size):
                _, failed = self._upsert(Record.from_dict(e["record"]) for e in chunk)
                for f in failed:
                    prev = latest[f["id"]]
                    still.append({**f, "attempts": int(prev.get("attempts", 1)) + 1})
                done += len(chunk)
                if progress:
                    progress(done, len(latest))
            return ReplayResult(read=len(entries), sent=len(latest) - len(still),
                                failed=len(still), path=self.dead.path)

    def mark_removed(self, entries: Iterable[RemovalEntry]) -> int:
        """Mark matching live records removed (rules: :mod:`pipeline.store.lifecycle`): find
        candidates over the alias, then a bulk of partial updates to their concrete indices
        guarded by ``if_seq_no``/``if_primary_term``; documents that changed in between are
        re-read and re-judged, up to 3 times. Returns the number of records changed."""
        changed = 0
        for chunk in chunks(entries, 500):
            for _ in range(3):
                n, conflicts = self._mark_chunk(chunk)
                changed += n
                if not conflicts:
                    break
            else:
                raise StoreError("records kept changing while being marked removed; retry")
        if changed:
            with self._errors("refresh after marking records removed"):
                self.es.indices.refresh(index=self.index)
        return changed

    def _mark_chunk(self, entries: list[RemovalEntry]) -> tuple[int, int]:
        ids = sorted({e.id for e in entries if e.id})
        urls = sorted({e.canonical_url for e in entries if e.canonical_url})
        should: list[dict[str, Any]] = []
        if ids:
            should.append({"terms": {"id": ids}})
        if urls:
            should.append({"terms": {"canonical_url": urls}})
        with self._errors("find records to mark removed"):
            resp = self.es.search(
                index=self.index, query={"bool": {"should": should, "minimum_should_match": 1}},
                source_includes=["id", "canonical_url", "fetched_at", "lifecycle"],
                seq_no_primary_term=True, size=10_000, sort=[{"id": "asc"}],
            )
        ops: list[dict[str, Any]] = []
        for hit in resp["hits"]["hits"]:
            entry = next((e for e in entries if applies(e, hit["_source"])), None)
            if entry is None:
                continue
            ops.append({"update": {"_index": hit["_index"], "_id": hit["_id"],
                                   "if_seq_no": hit["_seq_no"],
                                   "if_primary_term": hit["_primary_term"]}})
            ops.append({"doc": {"lifecycle": entry.lifecycle()}})
        if not ops:
            return 0, 0
        with self._errors("mark records removed"):
            result = self.es.bulk(operations=ops)
        done = conflicts = 0
        errors = []
        for item in result["items"]:
            res = item["update"]
            if res.get("status") == 409:
                conflicts += 1
            elif "error" in res:
                errors.append(f"{res['_id']}: {res['error'].get('reason')}")
            else:
                done += int(res["result"] == "updated")
        if errors:
            raise StoreError(f"Elasticsearch refused to mark {len(errors)} records removed "
                             f"(first: {errors[0]})")
        return done, conflicts

    # -- reads ---------------------------------------------------------------------------

    def _get(self, record_id: str) -> Any:
        """Realtime get from the concrete index holding ``record_id`` (with seq_no)."""
        with self._errors(f"get record {record_id}"):
            where = locate(self.es, self.index, [record_id])
            if record_id not in where:
                raise NotFoundError(f"no record with id {record_id!r}")
            try:
                return self.es.get(index=where[record_id][0], id=record_id)
            except elasticsearch.NotFoundError:
                raise NotFoundError(f"no record with id {record_id!r}") from None

    def get(self, record_id: str) -> Record:
        return from_es(self._get(record_id)["_source"])

    def count(self, filters: dict[str, Any] | None = None) -> int:
        query = es_search.build_query(None, filters)
        with self._errors("count records"):
            return int(self.es.count(index=self.index, query=query)["count"])

    def search(self, query: str | None = None, *, filters: dict[str, Any] | None = None,
               facets: Iterable[str] = (), sort: str = "-score", size: int = 20,
               offset: int = 0) -> SearchResult:
        es_search.build_query(query, filters)  # ValueError before any request
        with self._errors("search records"):
            return es_search.search(self.es, self.index, query, filters=filters, facets=facets,
                                    sort=sort, size=size, offset=offset)

    def scan(self, query: str | None = None, *, filters: dict[str, Any] | None = None,
             sort: str = "-score") -> Iterator[Record]:
        es_search.build_query(query, filters)
        with self._errors("scan records"):
            yield from es_search.scan(self.es, self.index, query, filters=filters, sort=sort)

    def pivot(self, entity_value: str, entity_type: str | None = None, *,
              size: int = 1000) -> SearchResult:
        with self._errors(f"pivot on {entity_value!r}"):
            return es_search.pivot(self.es, self.index, entity_value, entity_type, size)

    def queue(self, *, partition: str | None = None, size: int = 50) -> list[Record]:
        filters: dict[str, Any] = {"flagged": True}
        if partition is not None:
            filters["partition"] = partition
        return [h.record for h in self.search(filters=filters, sort="-score", size=size).hits]

    # -- triage ------------------------------------------------------------------------

    def _triage(self) -> Triage:
        return Triage(self.es, self.audit_index, self._get, self.clock, self.sleep)

    def update_triage(
        self, record_id: str, changes: dict[str, Any], *, expected_version: int, actor: str
    ) -> Record:
        """Compare-and-set on triage.version with its audit entry (:mod:`pipeline.store.es_triage`)."""
        with self._errors(f"update triage of {record_id}"):
            return from_es(self._triage().update(record_id, changes, expected_version=expected_version,
                                                 actor=actor))

    def audit(self, record_id: str) -> list[dict[str, Any]]:
        with self._errors(f"read the audit trail of {record_id}"):
            return self._triage().audit(record_id)
