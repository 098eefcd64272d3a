"""One ``ElasticsearchStore.upsert`` call: chunking, validation, routing, bulk, dead letter.

Per chunk of ``RetryPolicy.chunk_size`` records (validated, converted with
:func:`~pipeline.store.es_docs.to_es` and serialized once by the client's own JSON serializer
in a worker thread, one chunk ahead of the bulk request in flight):

* new ids get a ``create`` (full document), existing ids an ``update`` of the derived fields
  in the backing index that holds them (``lifecycle`` only when the upsert changes it, so a
  concurrent ``mark_removed`` is never undone), so re-running a day never duplicates;
* **one backing index** (the alias's write index is the only index that can hold a record):
  ids are not looked up first. ``create`` goes straight to that index; the ids it answers
  409 (they exist) are read back with a realtime ``mget`` and sent as updates. While more
  than half of a chunk turns out to exist (a re-run), the next chunks look up first (``mget``)
  to avoid sending documents twice;
* **several backing indices** (after a rollover): the ids are looked up over the alias first
  (``ids`` query → the concrete ``_index``); a ``create`` that still answers 409 (a
  concurrent writer created it in the write index meanwhile) is sent again as an update there.

Ids written earlier in the same call are updated where they were written. Failures after the
retries of :mod:`pipeline.store.es_bulk`, and records over ``max_doc_bytes``, become
dead-letter entries for the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from elasticsearch import Elasticsearch

from pipeline.records import Record, validate
from pipeline.store import es_bulk
from pipeline.store.base import StoreError, UpsertResult
from pipeline.store.es_bulk import RetryPolicy, Unavailable
from pipeline.store.es_docs import UPDATE_FIELDS, to_es
from pipeline.store.es_mapping import RolloverPolicy, backing_indices, rollover
from pipeline.store.lifecycle import upsert_lifecycle

_T = TypeVar("_T")
#: (record dict, dead-letter status, reason) → dead-letter entry
EntryFn = Callable[[dict[str, Any], int | None, str], dict[str, Any]]


def chunks(items: Iterable[_T], n: int) -> Iterator[list[_T]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


@dataclass
class Prepared:
    """One chunk ready to send: record dicts and indexed documents (dict and JSON) by id."""

    records: dict[str, dict[str, Any]]
    docs: dict[str, tuple[dict[str, Any], bytes]]
    too_big: list[dict[str, Any]]


@dataclass
class BulkUpsert:
    es: Elasticsearch
    index: str
    retry: RetryPolicy
    rollover_policy: RolloverPolicy
    today: str
    entry: EntryFn
    sleep: Callable[[float], None]
    #: ids written in this call → concrete index
    located: dict[str, str] = field(default_factory=dict)
    #: the alias's only backing index, when it has just one
    single: str | None = None
    #: send ``create`` without looking up first (single backing index, mostly new ids)
    optimistic: bool = True

    def run(self, records: Iterable[Record]) -> tuple[UpsertResult, list[dict[str, Any]]]:
        result = UpsertResult()
        dead: list[dict[str, Any]] = []
        down: str | None = None
        try:
            es_bulk.call(lambda: rollover(self.es, self.index, self.rollover_policy, self.today),
                         self.retry, self.sleep)
            indices = es_bulk.call(lambda: backing_indices(self.es, self.index), self.retry, self.sleep)
            self.single = indices[0] if len(indices) == 1 else None
        except (Unavailable, StoreError) as exc:
            down = f"Elasticsearch unavailable: {exc}"
        for chunk in self.prepared(records):
            if down:
                dead.extend(self.entry(d, None, down) for d in chunk.records.values())
                continue
            dead.extend(chunk.too_big)
            try:
                ok, failures = self.write(chunk.docs)
            except Unavailable as exc:
                down = f"Elasticsearch unavailable after {self.retry.max_retries} retries: {exc.reason}"
                acked = {o["_id"] for o in exc.ok}
                ok, failures = exc.ok, [es_bulk.Failure(i, None, down) for i in chunk.docs if i not in acked]
            for item in ok:
                self.located[item["_id"]] = item["_index"]
                if item.get("result") == "created":
                    result.created += 1
                elif item.get("result") == "updated":
                    result.updated += 1
            dead.extend(self.entry(chunk.records[f.id], f.status, f.reason) for f in failures)
        if not down:
            try:
                es_bulk.call(lambda: self.es.indices.refresh(index=self.index), self.retry, self.sleep)
            except Unavailable:
                pass  # written and durable, visible after the next periodic refresh
        return result, dead

    # -- preparation (worker thread) -----------------------------------------------------

    def prepare(self, chunk: list[Record]) -> Prepared:
        """Validate, convert and serialize ``chunk``; raises RecordError for an invalid record."""
        records: dict[str, dict[str, Any]] = {}
        for record in chunk:
            d = record.to_dict()
            validate(d)
            records[d["id"]] = d
        dumps = self.es.transport.serializers.get_serializer("application/json").dumps
        docs: dict[str, tuple[dict[str, Any], bytes]] = {}
        too_big = []
        limit = self.retry.max_doc_bytes
        for rid, d in records.items():
            doc = to_es(d)
            body = dumps(doc)
            if len(body) > limit:
                too_big.append(self.entry(d, 413, f"document_too_large: the record is {len(body)} bytes as"
                                          f" JSON, over the {limit}-byte limit (LUREWATCH_ES_MAX_DOC_BYTES)"))
            else:
                docs[rid] = (doc, body)
        return Prepared(records, docs, too_big)

    def prepared(self, records: Iterable[Record]) -> Iterator[Prepared]:
        """Chunks prepared one ahead in a worker thread (validation, conversion and JSON
        overlap the previous chunk's bulk request); errors surface in input order."""
        it = chunks(records, self.retry.chunk_size)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lurewatch-prepare") as pool:
            first = next(it, None)
            ahead: Future[Prepared] | None = pool.submit(self.prepare, first) if first else None
            while ahead is not None:
                ready = ahead.result()
                nxt = next(it, None)
                ahead = pool.submit(self.prepare, nxt) if nxt else None
                yield ready

    # -- routing and sending -------------------------------------------------------------

    def write(self, docs: dict[str, tuple[dict[str, Any], bytes]]
              ) -> tuple[list[dict[str, Any]], list[es_bulk.Failure]]:
        """Route and send one chunk (see module docstring); 409s on ``create`` are resolved
        by up to two more rounds."""
        ok: list[dict[str, Any]] = []
        pending = docs
        look_first = not (self.single and self.optimistic)
        existing = 0
        failures: list[es_bulk.Failure] = []
        for _ in range(3):
            unknown = [i for i in pending if i not in self.located]
            stored: dict[str, tuple[str, dict[str, Any]]] = {}
            if look_first and unknown:
                stored = es_bulk.call(lambda ids=unknown: self.locate(ids), self.retry, self.sleep,
                                      ids=list(pending))
                existing += len(stored)
            acked, failures = es_bulk.send(self.es, self.actions(pending, stored), self.retry, self.sleep)
            ok.extend(acked)
            raced = {f.id for f in failures if f.status == 409}
            failures = [f for f in failures if f.id not in raced]
            if not look_first:
                existing += len(raced)
            if not raced:
                break
            pending = {i: docs[i] for i in raced}
            if self.single:
                look_first = True  # realtime mget finds them, with their lifecycle
            else:
                self.located.update({i: self.index for i in raced})  # created meanwhile in the write index
        else:
            failures += [es_bulk.Failure(i, 409, "kept conflicting with concurrent writers") for i in pending]
        self.optimistic = existing * 2 <= len(docs)
        return ok, failures

    def actions(self, docs: dict[str, tuple[dict[str, Any], bytes]],
                stored: dict[str, tuple[str, dict[str, Any]]]) -> list[tuple[dict[str, Any], bytes]]:
        """Bulk (header, body) pairs; bodies are JSON bytes."""
        dumps = self.es.transport.serializers.get_serializer("application/json").dumps
        new_target = self.single or self.index
        out: list[tuple[dict[str, Any], bytes]] = []
        for rid, (doc, body) in docs.items():
            if rid not in stored and rid not in self.located:
                out.append(({"create": {"_index": new_target, "_id": rid}}, body))
                continue
            upd = {k: doc[k] for k in UPDATE_FIELDS}
            if rid in stored:
                target, lifecycle = stored[rid]
                keep = upsert_lifecycle(lifecycle, doc)
                if keep == lifecycle:
                    del upd["lifecycle"]
                else:
                    upd["lifecycle"] = keep
            else:
                target = self.located[rid]
                del upd["lifecycle"]
            out.append(({"update": {"_index": target, "_id": rid, "retry_on_conflict": 3}},
                        b'{"doc":' + dumps(upd) + b',"upsert":' + body + b"}"))
        return out

    def locate(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """id → (concrete index, stored lifecycle) for those of ``ids`` that exist: a realtime
        ``mget`` on the only backing index, else an ``ids`` search over the alias."""
        if self.single:
            resp = self.es.mget(index=self.single, ids=ids, source_includes=["lifecycle"])
            return {d["_id"]: (d["_index"], d["_source"].get("lifecycle") or {})
                    for d in resp["docs"] if d.get("found")}
        return locate(self.es, self.index, ids)


def locate(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """id → (concrete index, stored lifecycle) for those of ``ids`` found over alias ``index``."""
    if not ids:
        return {}
    resp = es.search(index=index, query={"ids": {"values": ids}}, size=len(ids), source_includes=["lifecycle"])
    return {h["_id"]: (h["_index"], h["_source"].get("lifecycle") or {}) for h in resp["hits"]["hits"]}
