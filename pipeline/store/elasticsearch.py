"""The production store: an Elasticsearch 9 index (plus ``<index>-audit``).

Uses only features of the server core (it works on Elastic's minimal integ-test-zip node):
no scripts, no ``_update_by_query``, no ``analysis-common`` filters, no ``GET /``.

* Upsert: one ``_bulk`` of ``update`` actions per chunk, ``doc`` = derived fields only and
  ``upsert`` = the whole record, so a re-run never touches capture fields or triage. The
  ``stages`` dict is stored as a list of ``{stage, version}`` because a partial ``doc``
  update *merges* objects (old keys would survive) but *replaces* lists.
* Visibility: a read after a write sees it. Bulk upserts use ``refresh="wait_for"``: the
  call returns once the change is searchable (up to one refresh interval, 1 s by default)
  without forcing extra refreshes under pipeline load. Triage updates and their audit
  entries, single documents written at the pace of an investigator's clicks, use
  ``refresh=true`` so the review app does not wait a second per click. Writes are durable
  (translog fsync) when they return.
* Triage: get with ``seq_no``/``primary_term``, compare ``triage.version``, then update with
  ``if_seq_no``/``if_primary_term``. The audit entry (id ``<record id>:<version>``) is
  written after the record; if that second write fails the record is changed but its
  audit entry is missing (the error is raised to the caller).
* Search: word terms → ``multi_match`` (cross_fields, operator and) over title, text and
  ``folded``, a copy of title + text without Latin diacritics made in Python (only for
  records that have any), so ``luong`` finds ``lương`` as in SQLite; asciifolding lives in
  the absent analysis-common module. Substring terms (CJK, Thai…) → ``match_phrase`` (CJK
  is one token per ideograph) or a ``wildcard`` (a Thai run is one token, so the whole run
  is highlighted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import elasticsearch
from elasticsearch import Elasticsearch

from pipeline.records import Record, validate
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

_KW = {"type": "keyword"}
_KW_LONG = {"type": "keyword", "ignore_above": 4096}
_INT_NOINDEX = {"type": "integer", "index": False}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "schema_version": {"type": "integer"},
        "id": _KW,
        "source_id": _KW,
        "source_kind": _KW,
        "url": _KW_LONG,
        "canonical_url": _KW_LONG,
        "fetched_at": _KW,
        "partition": _KW,
        "published_at": _KW,
        "title": {"type": "text", "analyzer": "standard",
                  "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}},
        "text": {"type": "text", "analyzer": "standard"},
        "folded": {"type": "text", "analyzer": "standard"},
        "lang": _KW,
        "http_status": {"type": "integer"},
        "author": {"type": "keyword", "ignore_above": 1024},
        "body_sha256": _KW,
        "content_sha256": _KW,
        "warc_file": _KW_LONG,
        "warc_record_id": _KW,
        "warc_digest": _KW,
        "extra": {"type": "object", "enabled": False},
        "norm_text": {"type": "text", "index": False},
        "entities": {"properties": {
            "type": _KW, "value": _KW_LONG, "start": _INT_NOINDEX, "end": _INT_NOINDEX,
            "field": _KW,
        }},
        "indicators": {"properties": {
            "id": _KW, "start": _INT_NOINDEX, "end": _INT_NOINDEX, "weight": {"type": "float"},
            "evidence": {"type": "text", "analyzer": "standard"}, "field": _KW,
        }},
        "score": {"type": "double"},
        "flagged": {"type": "boolean"},
        "model_version": _KW,
        "stages": {"properties": {"stage": _KW, "version": _KW}},
        "lifecycle": {"properties": {"status": _KW, "removed_at": _KW, "removal_reason": _KW}},
        "triage": {"properties": {
            "status": _KW, "label": {"type": "byte"}, "assignee": _KW,
            "note": {"type": "text", "analyzer": "standard"},
            "updated_at": _KW, "updated_by": _KW, "version": {"type": "long"},
        }},
    },
}

AUDIT_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "record_id": _KW,
        "version": {"type": "long"},
        "actor": _KW,
        "at": _KW,
        "changes": {"type": "object", "enabled": False},
    },
}

_BULK_CHUNK = 500
_T = TypeVar("_T")
_SORT_MISSING = {"order": "asc", "missing": "_last"}


def _to_es(d: dict[str, Any]) -> dict[str, Any]:
    """The indexed form of a record dict: ``stages`` as a list, plus ``folded`` (title and
    text without Latin diacritics) when that differs from the original."""
    out = dict(d)
    out["stages"] = [{"stage": k, "version": v} for k, v in d["stages"].items()]
    both = f"{d['title'] or ''}\n{d['text']}"
    folded = fold_latin(both)
    if folded != both:
        out["folded"] = folded
    return out


def _from_es(src: dict[str, Any]) -> Record:
    d = dict(src)
    d.pop("folded", None)
    d["stages"] = {s["stage"]: s["version"] for s in src.get("stages") or []}
    return Record.from_dict(d)


def _redact(url: str) -> str:
    """The URL without user:password (never put credentials in an error message)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _chunks(items: Iterable[_T], n: int) -> Iterator[list[_T]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


class ElasticsearchStore:
    """Store backed by an Elasticsearch 9 index. ``replicas=None`` keeps the cluster default."""

    def __init__(
        self,
        url: str,
        index: str,
        *,
        replicas: int | None = None,
        request_timeout: float = 30.0,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.url = url
        self.index = index
        self.audit_index = f"{index}-audit"
        self.replicas = replicas
        self.request_timeout = request_timeout
        self.clock = clock
        self._es: Elasticsearch | None = None

    # -- plumbing ------------------------------------------------------------------------

    @property
    def es(self) -> Elasticsearch:
        if self._es is None:
            raise StoreError("the Elasticsearch store is not open; call setup() first")
        return self._es

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn client errors into StoreError with a message that says what to do."""
        where = _redact(self.url)
        try:
            yield
        except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
            raise StoreError(
                f"cannot {doing}: is Elasticsearch running at {where}? "
                "Start it (scripts/es.sh start) or unset LUREWATCH_ES_URL to use the embedded "
                f"SQLite store. ({type(exc).__name__}: {exc})"
            ) from exc
        except elasticsearch.ApiError as exc:
            raise StoreError(
                f"Elasticsearch at {where} refused to {doing}: {exc.status_code} {exc.message}"
            ) from exc
        except elasticsearch.TransportError as exc:
            raise StoreError(f"cannot {doing} at {where}: {exc}") from exc

    # -- lifecycle -----------------------------------------------------------------------

    def setup(self) -> None:
        """Connect, wait for the cluster (yellow, 30 s), create both indices if missing."""
        if self._es is None:
            self._es = Elasticsearch(
                self.url, request_timeout=self.request_timeout, max_retries=2,
                retry_on_timeout=True,
            )
        with self._errors("check cluster health"):
            self.es.cluster.health(wait_for_status="yellow", timeout="30s")
        self._create(self.index, MAPPING)
        self._create(self.audit_index, AUDIT_MAPPING)

    def _create(self, index: str, mapping: dict[str, Any]) -> None:
        settings: dict[str, Any] = {}
        if self.replicas is not None:
            settings["number_of_replicas"] = self.replicas
        with self._errors(f"create index {index}"):
            if self.es.indices.exists(index=index):
                self.es.indices.put_mapping(index=index, **mapping)  # adds new fields only
                return
            try:
                self.es.indices.create(index=index, mappings=mapping, settings=settings)
            except elasticsearch.BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":  # lost a creation race
                    raise

    def close(self) -> None:
        if self._es is not None:
            self._es.close()
            self._es = None

    # -- writes --------------------------------------------------------------------------

    def upsert(self, records: Iterable[Record]) -> UpsertResult:
        """Bulk-upsert in chunks of 500. ``updated`` counts existing records whose derived
        fields changed (Elasticsearch reports unchanged ones as ``noop``). A chunk with an
        invalid record (RecordError) is not written; earlier chunks are."""
        result = UpsertResult()
        for chunk in _chunks(records, _BULK_CHUNK):
            ops: list[dict[str, Any]] = []
            for record in chunk:
                validate(record.to_dict())
            stored = self._lifecycles([r.id for r in chunk])
            for record in chunk:
                d = _to_es(record.to_dict())
                doc = {k: d[k] for k in DERIVED_FIELDS}
                if record.id in stored:
                    # Write lifecycle only when the upsert changes it (a record seen live
                    # after its removal), so a concurrent mark_removed is never undone.
                    keep = upsert_lifecycle(stored[record.id], d)
                    if keep == stored[record.id]:
                        del doc["lifecycle"]
                    else:
                        doc["lifecycle"] = keep
                ops.append({"update": {"_index": self.index, "_id": record.id,
                                       "retry_on_conflict": 3}})
                ops.append({"doc": doc, "upsert": d})
            with self._errors("upsert records"):
                resp = self.es.bulk(operations=ops, refresh="wait_for")
            errors = []
            for item in resp["items"]:
                res = item["update"]
                if "error" in res:
                    errors.append(f"{res['_id']}: {res['error'].get('reason')}")
                elif res["result"] == "created":
                    result.created += 1
                elif res["result"] == "updated":
                    result.updated += 1
            if errors:
                raise StoreError(
                    f"Elasticsearch rejected {len(errors)} of {len(chunk)} records "
                    f"(first: {errors[0]}); the others were written"
                )
        return result

    def _lifecycles(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Stored ``lifecycle`` of those of ``ids`` that exist."""
        with self._errors("read record lifecycles"):
            resp = self.es.mget(index=self.index, ids=ids, source_includes=["lifecycle"])
        return {d["_id"]: d["_source"].get("lifecycle") or {}
                for d in resp["docs"] if d.get("found")}

    def mark_removed(self, entries: Iterable[RemovalEntry]) -> int:
        """Mark matching live records removed (rules: :mod:`pipeline.store.lifecycle`).
        Per chunk of entries: search candidates, then a ``_bulk`` of partial updates guarded
        by ``if_seq_no``/``if_primary_term`` (no scripts); documents that changed in between
        are re-read and re-judged, up to 3 times. Returns the number of records changed."""
        changed = 0
        for chunk in _chunks(entries, _BULK_CHUNK):
            for _ in range(3):
                n, conflicts = self._mark_chunk(chunk)
                changed += n
                if not conflicts:
                    break
            else:
                raise StoreError("records kept changing while being marked removed; retry")
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
            ops.append({"update": {"_index": self.index, "_id": hit["_id"],
                                   "if_seq_no": hit["_seq_no"],
                                   "if_primary_term": hit["_primary_term"]}})
            ops.append({"doc": {"lifecycle": entry.lifecycle()}})
        if not ops:
            return 0, 0
        with self._errors("mark records removed"):
            result = self.es.bulk(operations=ops, refresh="wait_for")
        done = conflicts = 0
        errors = []
        for item in result["items"]:
            res = item["update"]
            if res.get("status") == 409:
                conflicts += 1
            elif "error" in res:
                errors.append(f"{res['_id']}: {res['error'].get('reason')}")
            elif res["result"] in ("updated", "noop"):
                done += int(res["result"] == "updated")
        if errors:
            raise StoreError(f"Elasticsearch refused to mark {len(errors)} records removed "
                             f"(first: {errors[0]})")
        return done, conflicts

    # -- reads ---------------------------------------------------------------------------

    def get(self, record_id: str) -> Record:
        return _from_es(self._get(record_id)["_source"])

    def _get(self, record_id: str) -> Any:
        try:
            with self._errors(f"get record {record_id}"):
                return self.es.get(index=self.index, id=record_id)
        except StoreError as exc:
            if isinstance(exc.__cause__, elasticsearch.NotFoundError):
                raise NotFoundError(f"no record with id {record_id!r}") from None
            raise

    @staticmethod
    def _substring(sub: str) -> dict[str, Any]:
        should: list[dict[str, Any]] = []
        for fld in ("title", "text"):
            should.append({"match_phrase": {fld: sub}})
            should.append({"wildcard": {fld: {"value": f"*{sub}*", "case_insensitive": True}}})
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def _highlight_query(self, query: str | None) -> dict[str, Any]:
        """Any query term, with and without diacritics, over title and text."""
        terms = parse_query(query)
        words = " ".join(terms.words)
        should: list[dict[str, Any]] = [self._substring(sub) for sub in terms.substrings]
        for q in {words, fold_latin(words)} - {""}:
            should.append({"multi_match": {"query": q, "fields": ["title", "text"]}})
        return {"bool": {"should": should}}

    def _query(self, query: str | None, filters: dict[str, Any] | None) -> dict[str, Any]:
        must: list[dict[str, Any]] = []
        terms = parse_query(query)
        if terms.words:
            # Every word in title, text or their diacritic-free copy (as SQLite's FTS5).
            must.append({"multi_match": {
                "query": fold_latin(" ".join(terms.words)),
                "fields": ["title", "text", "folded"],
                "type": "cross_fields", "operator": "and",
            }})
        must.extend(self._substring(sub) for sub in terms.substrings)
        values, score_gte = normalize_filters(filters)
        flt: list[dict[str, Any]] = []
        for name, vals in values.items():
            present = [v for v in vals if v is not None]
            alts: list[dict[str, Any]] = []
            if present:
                alts.append({"terms": {name: present}})
            if None in vals:
                alts.append({"bool": {"must_not": {"exists": {"field": name}}}})
            flt.append(alts[0] if len(alts) == 1 else
                       {"bool": {"should": alts, "minimum_should_match": 1}})
        if score_gte is not None:
            flt.append({"range": {"score": {"gte": score_gte}}})
        if not must and not flt:
            return {"match_all": {}}
        return {"bool": {"must": must, "filter": flt}}

    def count(self, filters: dict[str, Any] | None = None) -> int:
        with self._errors("count records"):
            resp = self.es.count(index=self.index, query=self._query(None, filters))
        return int(resp["count"])

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
        aggs = {
            name: {"terms": {"field": name, "size": FACET_SIZE,
                             "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for name in facet_names
        }
        body: dict[str, Any] = {
            "query": self._query(query, filters),
            "sort": [{field: {**_SORT_MISSING, "order": "desc" if desc else "asc"}},
                     {"id": "asc"}],
            "from": offset,
            "size": size,
            "track_total_hits": True,
            "highlight": {
                "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
                "require_field_match": True,
                "highlight_query": self._highlight_query(query),
                "fields": {"title": {"number_of_fragments": 0},
                           "text": {"fragment_size": 150, "number_of_fragments": 3}},
            },
        }
        if aggs:
            body["aggs"] = aggs
        with self._errors("search records"):
            resp = self.es.search(index=self.index, **body)
        hits = []
        for h in resp["hits"]["hits"]:
            hl = h.get("highlight", {})
            frags = [f.replace("</mark><mark>", "")  # CJK phrases: one mark, not one per char
                     for f in hl.get("title", []) + hl.get("text", [])]
            hits.append(Hit(_from_es(h["_source"]), frags))
        facet_counts = {
            name: {facet_key(b.get("key_as_string", b["key"])): b["doc_count"]
                   for b in resp["aggregations"][name]["buckets"]}
            for name in facet_names
        }
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits,
                            facets=facet_counts)

    def queue(self, *, partition: str | None = None, size: int = 50) -> list[Record]:
        filters: dict[str, Any] = {"flagged": True}
        if partition is not None:
            filters["partition"] = partition
        return [h.record for h in self.search(filters=filters, sort="-score", size=size).hits]

    # -- triage --------------------------------------------------------------------------

    def update_triage(
        self, record_id: str, changes: dict[str, Any], *, expected_version: int, actor: str
    ) -> Record:
        """Compare-and-set on triage.version. A pipeline upsert that races in between (new
        seq_no, same triage version) is retried, up to 3 times."""
        for _ in range(3):
            got = self._get(record_id)
            src = got["_source"]
            version = src["triage"]["version"]
            if version != expected_version:
                raise ConflictError(
                    f"record {record_id} triage is at version {version}, not {expected_version}:"
                    " someone else changed it; reload and retry"
                )
            triage, entry = apply_changes(src["triage"], changes, actor=actor, at=self.clock())
            try:
                with self._errors(f"update triage of {record_id}"):
                    self.es.update(
                        index=self.index, id=record_id, doc={"triage": triage},
                        if_seq_no=got["_seq_no"], if_primary_term=got["_primary_term"],
                        refresh=True,
                    )
            except StoreError as exc:
                if isinstance(exc.__cause__, elasticsearch.ConflictError):
                    continue  # the document changed; re-read and compare versions again
                raise
            with self._errors(f"write the audit entry for {record_id}"):
                self.es.index(
                    index=self.audit_index, id=f"{record_id}:{entry['version']}",
                    document={"record_id": record_id, **entry}, op_type="create",
                    refresh=True,
                )
            src["triage"] = triage
            return _from_es(src)
        raise ConflictError(f"record {record_id} kept changing during the triage update; retry")

    def audit(self, record_id: str) -> list[dict[str, Any]]:
        with self._errors(f"read the audit trail of {record_id}"):
            resp = self.es.search(
                index=self.audit_index, query={"term": {"record_id": record_id}},
                sort=[{"version": "asc"}], size=10_000,
            )
        return [h["_source"] for h in resp["hits"]["hits"]]
