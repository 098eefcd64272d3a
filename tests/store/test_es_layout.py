"""Elasticsearch layout against a real node: versioned template, alias over time-based backing
indices, project-run rollover (no ILM), updates addressed to the index holding a record, and
migrations of older templates, mappings and the single-index layout."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.records import Record
from pipeline.store.base import StoreError
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.es_mapping import MAPPING, TEMPLATE_VERSION, MappingConflictError, RolloverPolicy
from pipeline.store.lifecycle import RemovalEntry

from .conftest import FAST_RETRY, make_record

pytestmark = pytest.mark.elasticsearch


class Clock:
    def __init__(self, now: str) -> None:
        self.now = now

    def __call__(self) -> str:
        return self.now


@pytest.fixture
def es(es_url: str) -> Iterator[Elasticsearch]:
    with Elasticsearch(es_url) as client:
        yield client


def open_store(es_url: str, index: str, tmp_path: Any, **kwargs: Any) -> ElasticsearchStore:
    kwargs.setdefault("clock", Clock("2025-03-01T12:00:00.000Z"))
    kwargs.setdefault("retry", FAST_RETRY)
    store = ElasticsearchStore(es_url, index, replicas=0, data_dir=tmp_path / "data", **kwargs)
    store.setup()
    return store


def recs(n: int, start: int = 0, **kwargs: Any) -> list[Record]:
    return [make_record(f"https://x.example/{i}", f"post {i} visa", score=0.5, **kwargs)
            for i in range(start, start + n)]


def backing(es: Elasticsearch, index: str) -> dict[str, bool]:
    """backing index → is write index."""
    return {name: bool(body["aliases"][index].get("is_write_index"))
            for name, body in es.indices.get_alias(name=index).items()}


def test_setup_installs_versioned_template_alias_and_is_idempotent(
    es: Elasticsearch, es_url: str, es_index: str, tmp_path: Any
) -> None:
    store = open_store(es_url, es_index, tmp_path)
    store.setup()
    tpl = es.indices.get_index_template(name=es_index)["index_templates"][0]["index_template"]
    assert tpl["version"] == TEMPLATE_VERSION
    assert tpl["index_patterns"] == [f"{es_index}-d*"]
    assert backing(es, es_index) == {f"{es_index}-d2025.03.01-000001": True}
    mapping = es.indices.get_mapping(index=es_index)[f"{es_index}-d2025.03.01-000001"]["mappings"]
    props = mapping["properties"]
    assert mapping["_meta"]["mapping_version"] == TEMPLATE_VERSION
    assert props["title"]["fields"]["raw"]["type"] == "keyword"
    assert props["text"]["fields"]["raw"]["type"] == "keyword"
    assert (props["fetched_at"]["type"], props["score"]["type"]) == ("date", "double")
    assert props["entities"]["properties"]["value"]["type"] == "keyword"
    assert props["triage"]["properties"]["tags"]["type"] == "keyword"
    store.close()


def test_rollover_by_doc_count_then_rerun_updates_in_place(
    es: Elasticsearch, es_url: str, es_index: str, tmp_path: Any
) -> None:
    clock = Clock("2025-03-01T12:00:00.000Z")
    store = open_store(es_url, es_index, tmp_path, clock=clock,
                       rollover_policy=RolloverPolicy(max_docs=5, max_age=None,
                                                      max_primary_shard_size=None))
    day1 = recs(5)
    assert store.upsert(day1).created == 5
    clock.now = "2025-03-02T09:00:00.000Z"
    day2 = recs(3, start=5)
    assert store.upsert(day2).created == 3  # rollover happened before this bulk
    names = backing(es, es_index)
    first, second = f"{es_index}-d2025.03.01-000001", f"{es_index}-d2025.03.02-000002"
    assert names == {first: False, second: True}
    # re-run day 1 with new scores: updated where they live, nothing duplicated
    rerun = [dataclasses.replace(r, score=0.9) for r in day1]
    result = store.upsert(rerun + day2)
    assert (result.created, result.updated) == (0, 5)
    assert store.count() == 8
    assert es.count(index=first)["count"] == 5
    assert es.count(index=second)["count"] == 3
    assert {r.id for r in store.scan(filters={"score_gte": 0.9})} == {r.id for r in day1}
    # triage and removal address the older concrete index with seq_no guards
    got = store.update_triage(day1[0].id, {"status": "in_review"}, expected_version=0, actor="ana")
    assert got.triage.version == 1
    assert es.get(index=first, id=day1[0].id)["_source"]["triage"]["status"] == "in_review"
    assert store.mark_removed([RemovalEntry("2025-03-03T00:00:00Z", "http 410", id=day1[1].id)]) == 1
    assert es.get(index=first, id=day1[1].id)["_source"]["lifecycle"]["status"] == "removed"
    assert store.count() == 8
    store.close()


def test_rollover_command_and_thresholds(es: Elasticsearch, es_url: str, es_index: str,
                                         tmp_path: Any) -> None:
    store = open_store(es_url, es_index, tmp_path,
                       rollover_policy=RolloverPolicy(max_docs=100, max_age=None,
                                                      max_primary_shard_size="1gb"))
    store.upsert(recs(3))
    assert store.rollover() is None  # no threshold reached
    assert store.rollover(force=True) == f"{es_index}-d2025.03.01-000002"
    store.upsert(recs(2, start=3))
    assert es.count(index=f"{es_index}-d2025.03.01-000002")["count"] == 2
    assert store.count() == 5
    store.close()


def test_old_template_and_mapping_are_upgraded(es: Elasticsearch, es_url: str, es_index: str,
                                               tmp_path: Any) -> None:
    """A version-1 template and a backing index without the new fields: setup() upgrades the
    template, adds the fields with put_mapping and records the new mapping version."""
    old_props = {k: v for k, v in MAPPING["properties"].items()
                 if k not in ("countries", "entity_keys", "triage")}
    old_props["triage"] = {"properties": {"status": {"type": "keyword"}, "version": {"type": "long"}}}
    old = {"dynamic": "strict", "_meta": {"mapping_version": 1}, "properties": old_props}
    es.indices.put_index_template(name=es_index, index_patterns=[f"{es_index}-d*"], version=1,
                                  template={"mappings": old, "settings": {"number_of_replicas": 0}})
    name = f"{es_index}-d2025.01.01-000001"
    es.indices.create(index=name, aliases={es_index: {"is_write_index": True}})
    store = open_store(es_url, es_index, tmp_path)
    tpl = es.indices.get_index_template(name=es_index)["index_templates"][0]["index_template"]
    assert tpl["version"] == TEMPLATE_VERSION
    mapping = es.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["_meta"]["mapping_version"] == TEMPLATE_VERSION
    assert "countries" in mapping["properties"]
    assert "tags" in mapping["properties"]["triage"]["properties"]
    r = make_record("https://x.example/kh", "Sihanoukville job", entities=(("location", "Sihanoukville"),))
    store.upsert([r])
    assert {x.id for x in store.scan(filters={"country": "KH"})} == {r.id}
    store.close()


def test_incompatible_mapping_is_a_clear_error(es: Elasticsearch, es_url: str, es_index: str,
                                               tmp_path: Any) -> None:
    name = f"{es_index}-d2025.01.01-000001"
    es.indices.create(index=name, aliases={es_index: {"is_write_index": True}},
                      mappings={"_meta": {"mapping_version": 1},
                                "properties": {"score": {"type": "keyword"}}})
    store = ElasticsearchStore(es_url, es_index, replicas=0, data_dir=tmp_path)
    with pytest.raises(MappingConflictError, match=r"mapping conflict.*score.*new LUREWATCH_ES_INDEX"):
        store.setup()
    store.close()


def test_newer_template_is_refused(es: Elasticsearch, es_url: str, es_index: str, tmp_path: Any) -> None:
    es.indices.put_index_template(name=es_index, index_patterns=[f"{es_index}-d*"],
                                  version=TEMPLATE_VERSION + 1)
    store = ElasticsearchStore(es_url, es_index, replicas=0, data_dir=tmp_path)
    with pytest.raises(StoreError, match="newer than this LureWatch"):
        store.setup()
    store.close()


def test_single_index_layout_is_migrated(es: Elasticsearch, es_url: str, es_index: str,
                                         tmp_path: Any) -> None:
    """An index made by the pre-alias store (one concrete index named like the alias, v1
    triage statuses) is copied into the first backing index and replaced by the alias."""
    v1 = {k: v for k, v in MAPPING["properties"].items() if k not in ("countries", "entity_keys")}
    es.indices.create(index=es_index, settings={"number_of_replicas": 0},
                      mappings={"dynamic": False, "properties": v1})
    docs = recs(30)
    for r in docs:
        d = r.to_dict()
        d["schema_version"] = 1
        d["stages"] = [{"stage": k, "version": v} for k, v in d["stages"].items()]
        d["triage"] = {k: v for k, v in d["triage"].items() if k != "tags"}
        d["triage"]["status"] = "reviewing"
        es.index(index=es_index, id=r.id, document=d)
    store = open_store(es_url, es_index, tmp_path)
    assert list(backing(es, es_index)) == [f"{es_index}-d2025.03.01-000001"]
    assert store.count() == 30
    got = store.get(docs[0].id)
    assert (got.triage.status, got.schema_version, got.text) == ("in_review", 3, docs[0].text)
    assert store.upsert(docs).created == 0
    store.close()
