"""Elasticsearch layout: a versioned index template, time-based backing indices behind one
alias, project-run rollover, and mapping migrations. Core server APIs only (no ILM module).

Layout for ``index = "lurewatch-records"``:

* alias ``lurewatch-records``: reads cover every backing index; writes of *new* records go to
  its write index (``is_write_index``). Existing records are updated in the backing index
  that holds them (the store looks them up first), so a re-run never duplicates.
* backing indices ``lurewatch-records-dYYYY.MM.DD-NNNNNN`` (creation day, counter), made
  from the index template ``lurewatch-records`` (pattern ``lurewatch-records-d*``).
* ``lurewatch-records-audit``: the append-only triage audit log (one index).

Versions: :data:`TEMPLATE_VERSION` is the template's ``version`` and every index mapping's
``_meta.mapping_version``. :func:`ensure_layout` (run by ``setup()``) installs or upgrades the
template, adds new fields to older backing indices with ``put_mapping`` (an incompatible
change raises :class:`MappingConflictError`), and migrates a pre-alias single index (version
1 layout) by copying its documents into the first backing index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch, helpers

from pipeline.records import upgrade
from pipeline.store.base import StoreError

#: v1: single index; v2: template + alias + backing indices, dates, countries, tags, keys;
#: v3: lang_source and region (record schema 3).
TEMPLATE_VERSION = 3

_KW = {"type": "keyword"}
_KW_LONG = {"type": "keyword", "ignore_above": 4096}
_INT_NOINDEX = {"type": "integer", "index": False}
_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
_TEXT = {"type": "text", "analyzer": "standard"}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"mapping_version": TEMPLATE_VERSION, "owner": "lurewatch"},
    "properties": {
        "schema_version": {"type": "integer"},
        "id": _KW,
        "source_id": _KW,
        "source_kind": _KW,
        "url": _KW_LONG,
        "canonical_url": _KW_LONG,
        "fetched_at": _DATE,
        "partition": _KW,
        "published_at": {**_DATE, "ignore_malformed": True},
        "title": {**_TEXT, "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}},
        "text": {**_TEXT, "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
        "folded": _TEXT,
        "lang": _KW,
        "lang_source": _KW,
        "region": _KW,
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
        "entity_keys": _KW_LONG,
        "countries": _KW,
        "indicators": {"properties": {
            "id": _KW, "start": _INT_NOINDEX, "end": _INT_NOINDEX, "weight": {"type": "float"},
            "evidence": _TEXT, "field": _KW,
        }},
        "score": {"type": "double"},
        "flagged": {"type": "boolean"},
        "model_version": _KW,
        "stages": {"properties": {"stage": _KW, "version": _KW}},
        "lifecycle": {"properties": {"status": _KW, "removed_at": _KW, "removal_reason": _KW}},
        "triage": {"properties": {
            "status": _KW, "label": {"type": "byte"}, "assignee": _KW, "tags": _KW,
            "note": _TEXT, "updated_at": _KW, "updated_by": _KW, "version": {"type": "long"},
        }},
    },
}

AUDIT_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"mapping_version": TEMPLATE_VERSION, "owner": "lurewatch"},
    "properties": {
        "record_id": _KW,
        "version": {"type": "long"},
        "actor": _KW,
        "at": _KW,
        "changes": {"type": "object", "enabled": False},
    },
}

_BACKING = re.compile(r"-d(\d{4}\.\d{2}\.\d{2})-(\d{6})$")


class MappingConflictError(StoreError):
    """An existing index has a mapping the current one cannot be merged into."""


@dataclass(frozen=True)
class RolloverPolicy:
    """Roll the write index over when any threshold is reached (None = not used)."""

    max_docs: int | None = 10_000_000
    max_age: str | None = "30d"
    max_primary_shard_size: str | None = "50gb"

    def conditions(self) -> dict[str, Any]:
        return {k: v for k, v in (("max_docs", self.max_docs), ("max_age", self.max_age),
                                  ("max_primary_shard_size", self.max_primary_shard_size))
                if v is not None}


def template_name(index: str) -> str:
    return index


def backing_name(index: str, day: str, n: int) -> str:
    """``<index>-dYYYY.MM.DD-NNNNNN``; ``day`` is ``YYYY-MM-DD``."""
    return f"{index}-d{day.replace('-', '.')}-{n:06d}"


def template_body(index: str, replicas: int | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"number_of_shards": 1}
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    return {
        "index_patterns": [f"{index}-d*"],
        "version": TEMPLATE_VERSION,
        "priority": 200,
        "template": {"settings": settings, "mappings": MAPPING},
        "_meta": {"owner": "lurewatch", "mapping_version": TEMPLATE_VERSION},
    }


def _put_mapping(es: Elasticsearch, index: str | list[str], mapping: dict[str, Any]) -> None:
    try:
        es.indices.put_mapping(index=index, **mapping)
    except elasticsearch.BadRequestError as exc:
        raise MappingConflictError(
            f"mapping conflict: the mapping of {index} cannot be upgraded to version "
            f"{TEMPLATE_VERSION} ({exc.message}: {_reason(exc)}). Existing fields cannot change "
            "type in place; index into a new LUREWATCH_ES_INDEX and copy the records over."
        ) from exc


def _reason(exc: elasticsearch.ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return str((body.get("error") or {}).get("reason") or exc)


def write_index(es: Elasticsearch, index: str) -> str | None:
    """The alias's write index, or None if the alias does not exist."""
    if not es.indices.exists_alias(name=index):
        return None
    aliases = es.indices.get_alias(name=index)
    for name, body in aliases.items():
        if body["aliases"][index].get("is_write_index"):
            return str(name)
    return str(max(aliases))  # single-index alias without the flag


def ensure_layout(es: Elasticsearch, index: str, replicas: int | None, today: str) -> None:
    """Install/upgrade the template, audit index and alias (see module docstring)."""
    audit = f"{index}-audit"
    if es.indices.exists(index=audit):
        _put_mapping(es, audit, AUDIT_MAPPING)
    else:
        _create(es, audit, {"mappings": AUDIT_MAPPING, "settings": template_body(
            index, replicas)["template"]["settings"]})
    tname = template_name(index)
    current = None
    if es.indices.exists_index_template(name=tname):
        got = es.indices.get_index_template(name=tname)["index_templates"][0]["index_template"]
        current = got.get("version")
    if current is not None and current > TEMPLATE_VERSION:
        raise StoreError(
            f"index template {tname} is version {current}, newer than this LureWatch "
            f"({TEMPLATE_VERSION}); upgrade LureWatch before writing to {index}"
        )
    if current != TEMPLATE_VERSION:
        es.indices.put_index_template(name=tname, **template_body(index, replicas))
    if es.indices.exists_alias(name=index):
        upgrade_backing(es, index)
        return
    if es.indices.exists(index=index):
        migrate_single_index(es, index, today)
        return
    _create(es, backing_name(index, today, 1), {"aliases": {index: {"is_write_index": True}}})


def upgrade_backing(es: Elasticsearch, index: str) -> list[str]:
    """put_mapping the current mapping on backing indices recorded at an older version."""
    mappings = es.indices.get_mapping(index=index)
    old = [name for name, body in mappings.items()
           if (body["mappings"].get("_meta") or {}).get("mapping_version", 1) < TEMPLATE_VERSION]
    for name in old:
        _put_mapping(es, name, MAPPING)
    return old


def _create(es: Elasticsearch, name: str, body: dict[str, Any]) -> None:
    try:
        es.indices.create(index=name, **body)
    except elasticsearch.BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":  # lost a creation race
            raise


def migrate_single_index(
    es: Elasticsearch, index: str, today: str, transform: Callable[[dict[str, Any]], dict[str, Any]]
    | None = None,
) -> int:
    """Copy a version-1 single index named ``index`` into the first backing index, then
    replace it by the alias. Documents are upgraded to the current record schema (v1 triage
    statuses) and re-derived by ``transform`` (default: the store's indexed form). Returns the
    number of documents copied; raises StoreError (the old index is kept) if counts differ."""
    from pipeline.store.es_docs import to_es

    def convert(src: dict[str, Any]) -> dict[str, Any]:
        d = dict(src)
        d.pop("folded", None)
        d["stages"] = {s["stage"]: s["version"] for s in d.get("stages") or []}
        d = upgrade(d)
        d.setdefault("triage", {}).setdefault("tags", [])
        return (transform or to_es)(d)

    target = backing_name(index, today, 1)
    _create(es, target, {})
    es.indices.refresh(index=index)
    actions = ({"_index": target, "_id": h["_id"], "_source": convert(h["_source"])}
               for h in helpers.scan(es, index=index, query={"query": {"match_all": {}}}))
    copied, errors = helpers.bulk(es, actions, raise_on_error=False, chunk_size=500)
    es.indices.refresh(index=target)
    before = es.count(index=index)["count"]
    after = es.count(index=target)["count"]
    if errors or before != after:
        raise StoreError(
            f"migrating {index} to the alias layout copied {after} of {before} documents "
            f"({len(errors) if isinstance(errors, list) else errors} errors); the old index is "
            f"kept, {target} holds the copy. Fix the cause and delete {target} to retry."
        )
    es.indices.delete(index=index)
    es.indices.put_alias(index=target, name=index, is_write_index=True)
    return int(copied)


def rollover(
    es: Elasticsearch, index: str, policy: RolloverPolicy, today: str, *, force: bool = False
) -> str | None:
    """Roll the alias over to a new backing index if a threshold of ``policy`` is reached
    (or always with ``force``); returns the new index name, or None."""
    current = write_index(es, index)
    if current is None:
        raise StoreError(f"{index} is not an alias; run setup() first")
    m = _BACKING.search(current)
    n = int(m.group(2)) + 1 if m else 1
    conditions = {} if force else policy.conditions()
    if not force and not conditions:
        return None
    try:
        resp = es.indices.rollover(alias=index, new_index=backing_name(index, today, n),
                                   conditions=conditions or None)
    except elasticsearch.BadRequestError as exc:
        if exc.error == "resource_already_exists_exception":  # another writer rolled over
            return None
        raise
    return str(resp["new_index"]) if resp.get("rolled_over") else None


def backing_indices(es: Elasticsearch, index: str) -> list[str]:
    """The concrete indices behind alias ``index``, sorted."""
    return sorted(es.indices.get_alias(name=index))
