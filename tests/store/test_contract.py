"""The store contract: every backend passes the same tests (SQLite and a real Elasticsearch)."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable

import pytest

from pipeline.records import Record, RecordError
from pipeline.settings import Settings
from pipeline.store import open_store
from pipeline.store.base import ConflictError, NotFoundError, Store, StoreError
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.sqlite import SQLiteStore

R = dict[str, Record]
HitIds = Callable[..., set[str]]
Ids = Callable[[list[Record]], list[str]]


# -- upsert ------------------------------------------------------------------------------


def test_upsert_then_get_round_trips_exactly(loaded: Store, records: R) -> None:
    for record in records.values():
        got = loaded.get(record.id)
        assert got == record
        assert got.to_json() == record.to_json()


def test_reupsert_creates_nothing(loaded: Store, records: R) -> None:
    before = loaded.count()
    result = loaded.upsert(records.values())
    assert (result.created, result.updated) == (0, 0)
    assert loaded.count() == before == len(records)


def test_upsert_updates_derived_fields_and_keeps_capture_and_triage(
    loaded: Store, records: R
, hit_ids: HitIds) -> None:
    vi = records["vi"]
    loaded.update_triage(vi.id, {"status": "in_review"}, expected_version=0, actor="ana")
    rerun = dataclasses.replace(
        vi,
        score=0.4, flagged=False, indicators=[], lang="vi-VN", model_version="clf-2",
        stages={"score": "clf-2"},                       # replaces the dict, no merge
        author="someone else", extra={"tampered": True},  # capture fields: must be ignored
        triage=dataclasses.replace(vi.triage, status="dismissed", version=9),
    )
    result = loaded.upsert([rerun])
    assert (result.created, result.updated) == (0, 1)
    got = loaded.get(vi.id)
    assert (got.score, got.flagged, got.indicators, got.lang) == (0.4, False, [], "vi-VN")
    assert got.stages == {"score": "clf-2"}
    assert got.model_version == "clf-2"
    assert (got.author, got.extra, got.text, got.title) == (vi.author, vi.extra, vi.text, vi.title)
    assert (got.triage.status, got.triage.version) == ("in_review", 1)
    # derived filter fields follow the update
    assert vi.id not in hit_ids(loaded, filters={"indicators.id": "high_salary"})
    assert vi.id not in {r.id for r in loaded.queue()}


def test_invalid_record_is_rejected_before_writing(store: Store, records: R) -> None:
    bad = dataclasses.replace(records["uk"], id="not-a-hex-id")
    with pytest.raises(RecordError, match="id"):
        store.upsert([records["th"], bad])
    assert store.count() == 0


# -- full-text search --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "key", "marked"),
    [
        ("Sihanoukville", "sv", "<mark>Sihanoukville</mark>"),   # title word
        ("telegram", "sv", "<mark>Telegram</mark>"),             # text word, any case
        ("lương", "vi", "<mark>lương</mark>"),                  # Vietnamese with diacritics
        ("西港", "zh", "<mark>西港</mark>"),                     # CJK, no spaces
        ("ค่าตอบแทน", "th", "ค่าตอบแทน"),                        # Thai, no spaces
    ],
)
def test_search_finds_words_in_title_and_text(
    loaded: Store, records: R, query: str, key: str, marked: str
) -> None:
    result = loaded.search(query)
    assert [h.record.id for h in result.hits] == [records[key].id]
    assert result.total == 1
    assert any(marked in frag for frag in result.hits[0].highlight), result.hits[0].highlight


def test_search_needs_every_word(loaded: Store, records: R, hit_ids: HitIds) -> None:
    assert hit_ids(loaded, "high salary") == {records["sv"].id}
    assert hit_ids(loaded, "salary Leeds") == set()


def test_search_without_query_returns_all_without_highlights(loaded: Store, records: R) -> None:
    result = loaded.search(None, size=100)
    assert result.total == len(records)
    assert all(h.highlight == [] for h in result.hits)


def test_highlights_are_html_escaped(store: Store, record_factory) -> None:  # type: ignore[no-untyped-def]
    rec = record_factory("https://x.example/1", "Apply <script>alert(1)</script> visa now")
    store.upsert([rec])
    [hit] = store.search("visa").hits
    assert "<script>" not in "".join(hit.highlight)
    assert "<mark>visa</mark>" in "".join(hit.highlight)


# -- filters, facets, sort, paging -------------------------------------------------------


def test_filters(loaded: Store, records: R, hit_ids: HitIds) -> None:
    r = records
    assert hit_ids(loaded, filters={"source_id": "jobsite-uk"}) == {
        r["uk"].id, r["sv"].id, r["raw"].id}
    assert hit_ids(loaded, filters={"source_id": ["fb-th", "tg-cn"]}) == {r["th"].id, r["zh"].id}
    assert hit_ids(loaded, filters={"flagged": True}) == {
        r["vi"].id, r["zh"].id, r["th"].id, r["sv"].id}
    assert hit_ids(loaded, filters={"flagged": False}) == {r["uk"].id}
    assert hit_ids(loaded, filters={"indicators.id": "telegram_contact"}) == {
        r["zh"].id, r["sv"].id}
    assert hit_ids(loaded, filters={"entities.value": "@hr_xg", "source_id": "tg-cn"}) == {
        r["zh"].id}
    assert hit_ids(loaded, "salary", filters={"indicators.id": "travel_paid"}) == {r["sv"].id}
    assert hit_ids(loaded, filters={"score_gte": 0.88}) == {r["vi"].id, r["zh"].id, r["sv"].id}
    assert loaded.count({"partition": "2025-02-02"}) == 1
    assert loaded.count({"triage.status": "new"}) == len(records)


def test_unknown_filter_or_sort_field_is_a_caller_bug(loaded: Store) -> None:
    with pytest.raises(ValueError, match="cannot filter"):
        loaded.search(filters={"text": "x"})
    with pytest.raises(ValueError, match="cannot sort"):
        loaded.search(sort="title")


def test_facets_count_records_per_value(loaded: Store) -> None:
    result = loaded.search(facets=["source_id", "flagged", "indicators.id"])
    assert result.facets == {
        "source_id": {"jobsite-uk": 3, "fb-th": 1, "jobsite-vn": 1, "tg-cn": 1},
        "flagged": {"true": 4, "false": 1},
        "indicators.id": {"high_salary": 3, "telegram_contact": 2, "travel_paid": 2},
    }
    narrowed = loaded.search("salary", facets=["indicators.id"])
    assert narrowed.facets == {"indicators.id": {"telegram_contact": 1, "travel_paid": 1}}


def test_sort_by_score_with_id_tie_break_and_paging(loaded: Store, records: R) -> None:
    def key(r: Record) -> tuple[bool, float, str]:
        return (r.score is None, -(r.score or 0.0), r.id)

    expected = [r.id for r in sorted(records.values(), key=key)]
    pages = [loaded.search(sort="-score", size=4, offset=o).hits for o in (0, 4)]
    got = [h.record.id for page in pages for h in page]
    assert got == expected  # no overlap, nothing missing, unscored last
    assert len(pages[1]) == 2
    ascending = [h.record.id for h in loaded.search(sort="score", size=10).hits]
    assert ascending[0] == records["uk"].id
    assert ascending[-1] == records["raw"].id


def test_queue_is_flagged_highest_score_first(loaded: Store, records: R, ids: Ids) -> None:
    r = records
    tied = sorted([r["vi"].id, r["sv"].id])
    assert ids(loaded.queue()) == [*tied, r["zh"].id, r["th"].id]
    assert ids(loaded.queue(partition="2025-02-02")) == [r["th"].id]
    assert ids(loaded.queue(size=1)) == tied[:1]


# -- triage ------------------------------------------------------------------------------


def test_update_triage_bumps_version_and_writes_audit(loaded: Store, records: R, hit_ids: HitIds) -> None:
    zh = records["zh"]
    updated = loaded.update_triage(
        zh.id, {"status": "in_review", "assignee": "ana"}, expected_version=0, actor="ana"
    )
    assert (updated.triage.status, updated.triage.assignee, updated.triage.version) == (
        "in_review", "ana", 1)
    assert (updated.triage.updated_by, updated.triage.updated_at) == (
        "ana", "2025-03-01T12:00:00.000Z")
    assert loaded.get(zh.id) == updated
    assert hit_ids(loaded, filters={"triage.status": "in_review"}) == {zh.id}
    loaded.update_triage(zh.id, {"status": "escalated", "label": 1}, expected_version=1,
                         actor="bo")
    trail = loaded.audit(zh.id)
    assert [(e["version"], e["actor"]) for e in trail] == [(1, "ana"), (2, "bo")]
    assert trail[0]["changes"] == {"status": ["new", "in_review"], "assignee": [None, "ana"]}
    assert trail[1]["changes"] == {"status": ["in_review", "escalated"], "label": [None, 1]}
    assert trail[0]["record_id"] == zh.id
    assert trail[0]["at"] == "2025-03-01T12:00:00.000Z"
    assert loaded.audit(records["uk"].id) == []


def test_stale_triage_version_conflicts_and_changes_nothing(loaded: Store, records: R) -> None:
    th = records["th"]
    loaded.update_triage(th.id, {"status": "in_review"}, expected_version=0, actor="ana")
    before = loaded.get(th.id)
    with pytest.raises(ConflictError, match="version 1, not 0"):
        loaded.update_triage(th.id, {"status": "dismissed"}, expected_version=0, actor="bo")
    assert loaded.get(th.id) == before
    assert len(loaded.audit(th.id)) == 1


def test_invalid_triage_change_is_a_caller_bug(loaded: Store, records: R) -> None:
    with pytest.raises(ValueError, match="status"):
        loaded.update_triage(records["th"].id, {"status": "lol"}, expected_version=0, actor="a")
    with pytest.raises(ValueError, match="score"):
        loaded.update_triage(records["th"].id, {"score": 1.0}, expected_version=0, actor="a")
    assert loaded.get(records["th"].id).triage.version == 0


def test_missing_id_raises_not_found(loaded: Store) -> None:
    missing = "0" * 32
    with pytest.raises(NotFoundError):
        loaded.get(missing)
    with pytest.raises(NotFoundError):
        loaded.update_triage(missing, {"status": "in_review"}, expected_version=0, actor="a")


# -- backend specifics -------------------------------------------------------------------


def test_dead_elasticsearch_gives_a_helpful_store_error() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://elastic:secret@127.0.0.1:{port}"
    store = ElasticsearchStore(url, "lurewatch-nowhere", request_timeout=2)
    with pytest.raises(StoreError, match="is Elasticsearch running at") as info:
        store.setup()
    assert "unset LUREWATCH_ES_URL" in str(info.value)
    assert "secret" not in str(info.value)
    store.close()


def test_search_ignores_latin_diacritics(loaded: Store, records: R, record_factory, hit_ids: HitIds) -> None:  # type: ignore[no-untyped-def]
    assert hit_ids(loaded, "luong cao") == {records["vi"].id}
    assert hit_ids(loaded, "Campuchia luong") == {records["vi"].id}  # title + text
    plain = record_factory("https://x.example/vn", "Viec lam luong cao tai Da Nang")
    loaded.upsert([plain])
    assert hit_ids(loaded, "lương cao") == {records["vi"].id, plain.id}
    assert hit_ids(loaded, "Đà Nẵng") == {plain.id}
    [hit] = loaded.search("Nẵng").hits
    assert hit.highlight == ["Viec lam luong cao tai Da <mark>Nang</mark>"]


def test_open_store_defaults_to_sqlite_in_data_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data", sources_file=tmp_path / "s.yaml",
                        model_path=tmp_path / "m.skops")
    store = open_store(settings)
    assert isinstance(store, SQLiteStore)
    assert settings.sqlite_path.exists()
    store.close()


@pytest.mark.elasticsearch
def test_open_store_uses_elasticsearch_when_url_set(tmp_path, es_url: str, es_index: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data", sources_file=tmp_path / "s.yaml",
                        model_path=tmp_path / "m.skops", es_url=es_url, es_index=es_index)
    store = open_store(settings)
    assert isinstance(store, ElasticsearchStore)
    assert store.count() == 0
    store.setup()  # idempotent
    assert not (tmp_path / "data").exists()
    store.close()
