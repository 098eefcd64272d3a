"""The store contract (continued): removals and lifecycle, filters, scans, pivots, hostile
queries, concurrent triage and schema upgrades, on both backends (see tests/store/conftest.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from pipeline.records import Lifecycle, Record, RecordError
from pipeline.store.base import ConflictError, Store
from pipeline.store.lifecycle import RemovalEntry

R = dict[str, Record]
HitIds = Callable[..., set[str]]
Ids = Callable[[list[Record]], list[str]]


# -- lifecycle: removal evidence ---------------------------------------------------------

REMOVED_AT = "2025-02-03T09:30:00+00:00"  # after every fixture record's capture


def removal(**kwargs: str) -> RemovalEntry:
    return RemovalEntry(removed_at=kwargs.pop("removed_at", REMOVED_AT),
                        reason=kwargs.pop("reason", "http 410"), **kwargs)


def test_mark_removed_by_canonical_url_or_id_never_deletes(loaded: Store, records: R, hit_ids: HitIds) -> None:
    vi, zh = records["vi"], records["zh"]
    n = loaded.mark_removed([
        removal(canonical_url=vi.canonical_url),  # the capture URL had utm_ parameters
        removal(id=zh.id, reason="gone from channel"),
        removal(canonical_url="https://nowhere.example/x"),
    ])
    assert n == 2
    assert loaded.count() == len(records)
    got = loaded.get(vi.id)
    assert got.lifecycle == Lifecycle("removed", REMOVED_AT, "http 410")
    assert loaded.get(zh.id).lifecycle == Lifecycle("removed", REMOVED_AT, "gone from channel")
    assert loaded.get(records["uk"].id).lifecycle == Lifecycle()
    # everything else about the record is as it was
    assert dataclasses.replace(got, lifecycle=vi.lifecycle) == vi
    assert vi.id in hit_ids(loaded, "lương")


def test_mark_removed_is_idempotent_and_keeps_the_first_removal(loaded: Store, records: R) -> None:
    th = records["th"]
    assert loaded.mark_removed([removal(canonical_url=th.canonical_url)]) == 1
    before = loaded.get(th.id)
    assert loaded.mark_removed([removal(canonical_url=th.canonical_url)]) == 0
    later = "2025-02-09T00:00:00Z"
    assert loaded.mark_removed([removal(id=th.id, removed_at=later, reason="http 404")]) == 0
    assert loaded.get(th.id) == before
    assert loaded.mark_removed([]) == 0


def test_removal_older_than_the_capture_does_not_apply(store: Store, record_factory) -> None:  # type: ignore[no-untyped-def]
    # the page answered 410 on the 1st; a new version of the post was captured on the 5th
    old = dataclasses.replace(record_factory("https://x.example/job/1", "Old text"),
                              fetched_at="2025-01-20T00:00:00Z")
    new = dataclasses.replace(record_factory("https://x.example/job/1", "New text"),
                              fetched_at="2025-02-05T00:00:00Z")
    store.upsert([old, new])
    n = store.mark_removed([removal(canonical_url=old.canonical_url,
                                    removed_at="2025-02-01T00:00:00Z")])
    assert n == 1
    assert store.get(old.id).lifecycle.status == "removed"
    assert store.get(new.id).lifecycle.status == "live"


def test_upsert_does_not_resurrect_unless_seen_live_after_removal(
    loaded: Store, records: R
) -> None:
    sv = records["sv"]
    loaded.mark_removed([removal(canonical_url=sv.canonical_url)])
    # re-running the day it was captured (fetched before the removal): stays removed
    rerun = dataclasses.replace(sv, score=0.5)
    assert (loaded.upsert([rerun]).updated, loaded.get(sv.id).score) == (1, 0.5)
    assert loaded.get(sv.id).lifecycle.status == "removed"
    assert loaded.upsert([rerun]).updated == 0
    # the same post captured live again after the removal: live again
    back = dataclasses.replace(sv, fetched_at="2025-02-04T00:00:00Z", partition="2025-02-04")
    assert loaded.upsert([back]).updated == 1
    got = loaded.get(sv.id)
    assert got.lifecycle == Lifecycle()
    assert (got.fetched_at, got.partition) == (sv.fetched_at, sv.partition)  # first capture kept


def test_removal_entry_needs_a_record_and_a_reason() -> None:
    with pytest.raises(ValueError, match="id or canonical_url"):
        RemovalEntry(removed_at=REMOVED_AT, reason="http 410")
    with pytest.raises(ValueError, match="reason"):
        RemovalEntry(removed_at=REMOVED_AT, reason="", id="a" * 32)
    with pytest.raises(ValueError, match="ISO 8601"):
        RemovalEntry(removed_at="yesterday", reason="http 410", id="a" * 32)
    line = {"id": "a" * 32, "canonical_url": "https://x.example/", "url": "https://x.example/",
            "removed_at": REMOVED_AT, "reason": "http 404", "warc_record_id": "<urn:uuid:1>"}
    assert RemovalEntry.from_dict(line) == RemovalEntry(REMOVED_AT, "http 404", "a" * 32,
                                                        "https://x.example/")


# -- issue 6: more filters, scan, pivot, tags, hostile input, concurrency ----------------


def test_range_and_new_filters(loaded: Store, records: R, hit_ids: HitIds) -> None:
    r = records
    assert hit_ids(loaded, filters={"score_gte": 0.8, "score_lte": 0.9}) == {r["zh"].id}
    assert hit_ids(loaded, filters={"score_lte": 0.1}) == {r["uk"].id}
    assert hit_ids(loaded, filters={"published_from": "2025-01-30", "published_to": "2025-01-30"}) == {
        r["vi"].id}
    assert hit_ids(loaded, filters={"published_to": "2025-01-29"}) == set()
    assert loaded.count({"fetched_from": "2025-02-01T08:00:00Z", "fetched_to": "2025-02-01"}) == len(r)
    assert loaded.count({"fetched_from": "2025-02-01T08:00:01+00:00"}) == 0
    assert hit_ids(loaded, filters={"entities.type": "telegram"}) == {r["zh"].id, r["sv"].id}
    assert hit_ids(loaded, filters={"entities.type": "phone", "lang": "vi"}) == {r["vi"].id}
    assert loaded.count({"lifecycle.status": "live"}) == len(r)
    with pytest.raises(ValueError, match="not a valid bound"):
        loaded.search(filters={"fetched_from": "last tuesday"})


def test_country_is_derived_from_locations_and_structured_data(store: Store, record_factory, hit_ids: HitIds) -> None:  # type: ignore[no-untyped-def]
    kh = record_factory("https://x.example/kh", "Work in Sihanoukville", entities=(("location", "Sihanoukville"),))
    mm = record_factory("https://x.example/mm", "Job", extra={"location": {"country": "MM"}})
    none = record_factory("https://x.example/none", "Nothing here")
    store.upsert([kh, mm, none])
    assert hit_ids(store, filters={"country": "KH"}) == {kh.id}
    assert hit_ids(store, filters={"country": ["KH", "MM"]}) == {kh.id, mm.id}
    assert store.search(facets=["country"]).facets == {"country": {"KH": 1, "MM": 1}}


def test_triage_tags_label_and_assignee_filters(loaded: Store, records: R, hit_ids: HitIds) -> None:
    vi, zh, uk = records["vi"], records["zh"], records["uk"]
    got = loaded.update_triage(vi.id, {"tags": ["kh-ring", "urgent", "kh-ring"], "label": 1},
                               expected_version=0, actor="ana")
    assert got.triage.tags == ["kh-ring", "urgent"]
    loaded.update_triage(zh.id, {"tags": ["kh-ring"], "assignee": "bo", "status": "actioned"},
                         expected_version=0, actor="bo")
    loaded.update_triage(uk.id, {"label": 0, "status": "dismissed"}, expected_version=0, actor="bo")
    assert hit_ids(loaded, filters={"triage.tags": "kh-ring"}) == {vi.id, zh.id}
    assert hit_ids(loaded, filters={"triage.tags": "urgent"}) == {vi.id}
    assert hit_ids(loaded, filters={"triage.label": [0, 1]}) == {vi.id, uk.id}
    assert hit_ids(loaded, filters={"triage.label": None}) == {
        r.id for r in records.values()} - {vi.id, uk.id}
    assert hit_ids(loaded, filters={"triage.assignee": "bo"}) == {zh.id}
    facets = loaded.search(facets=["triage.tags", "triage.label", "triage.status"]).facets
    assert facets["triage.tags"] == {"kh-ring": 2, "urgent": 1}
    assert facets["triage.label"] == {"0": 1, "1": 1}
    assert facets["triage.status"] == {"new": 4, "actioned": 1, "dismissed": 1}
    # untagging removes from the filter; the audit keeps who did what
    loaded.update_triage(vi.id, {"tags": ["urgent"]}, expected_version=1, actor="cy")
    assert hit_ids(loaded, filters={"triage.tags": "kh-ring"}) == {zh.id}
    assert loaded.audit(vi.id)[-1]["changes"] == {"tags": [["kh-ring", "urgent"], ["urgent"]]}
    with pytest.raises(ValueError, match="tags"):
        loaded.update_triage(vi.id, {"tags": "urgent"}, expected_version=2, actor="cy")


def test_scan_yields_every_match_in_search_order(store: Store, record_factory) -> None:  # type: ignore[no-untyped-def]
    recs = [record_factory(f"https://x.example/{i}", f"post number {i} visa", score=(i % 7) / 10,
                           published_at=f"2025-01-{1 + i % 28:02d}" if i % 5 else None)
            for i in range(2350)]
    store.upsert(recs)
    got = [r.id for r in store.scan("visa", sort="-score")]
    assert len(got) == len(set(got)) == 2350
    first = [h.record.id for h in store.search("visa", sort="-score", size=1500).hits]
    assert got[:1500] == first  # same order as search, across scan pages
    expected = sorted(recs, key=lambda r: (-(r.score or 0.0), r.id))
    assert got == [r.id for r in expected]
    by_date = [r for r in store.scan(sort="published_at")]
    dates = [r.published_at for r in by_date]
    present = [d for d in dates if d is not None]
    assert present == sorted(present)
    assert dates[len(present):] == [None] * (len(dates) - len(present))
    assert sum(1 for _ in store.scan(filters={"score_gte": 0.6})) == sum(1 for r in recs if r.score >= 0.6)


def test_scan_for_training_labels(loaded: Store, records: R) -> None:
    """The feedback loop's call: every record an investigator labelled 0 or 1."""
    loaded.update_triage(records["vi"].id, {"label": 1}, expected_version=0, actor="ana")
    loaded.update_triage(records["uk"].id, {"label": 0}, expected_version=0, actor="ana")
    got = {r.id: r.triage.label for r in loaded.scan(filters={"triage.label": [0, 1]})}
    assert got == {records["vi"].id: 1, records["uk"].id: 0}


def test_pivot_on_an_identifier(loaded: Store, records: R, record_factory) -> None:  # type: ignore[no-untyped-def]
    other = record_factory("https://x.example/p", "Phone us", source_id="fb-th",
                           entities=(("phone", "@hr_xg"),))  # same text, another type
    loaded.upsert([other])
    result = loaded.pivot("@hr_xg")
    assert {h.record.id for h in result.hits} == {records["zh"].id, records["sv"].id, other.id}
    assert result.total == 3
    assert result.facets["source_id"] == {"jobsite-uk": 1, "tg-cn": 1, "fb-th": 1}
    typed = loaded.pivot("@hr_xg", "telegram")
    assert {h.record.id for h in typed.hits} == {records["zh"].id, records["sv"].id}
    assert loaded.pivot("+0 000", "phone").total == 0


HOSTILE = [
    '"', '""', "'", '"unbalanced', "(((", ")", "[", "]", "{}", "AND", "OR NOT", "NOT", "a AND OR b",
    "*:*", "*", "?", "title:visa", "text:(a OR", "\\", "\\\\\"", "visa~2", "/regex.*/", "^", "-", "+",
    "&&", "||", "!", "NEAR(a b)", "a:b:c", "\x00", "\x00visa\x1f", "\u202evisa", "\ufeff",
    "x" * 100_000, "visa " * 5000, "西港*", "西港?\\", "ค่า*ตอบ", "%_%", "' OR 1=1 --", "<script>",
    "MATCH", "records_fts", "{\"query\": {\"match_all\": {}}}", "@hr_xg", "+855 12 345 678",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_text_never_errors(loaded: Store, query: str) -> None:
    result = loaded.search(query, facets=["source_id"], size=5)
    assert result.total >= 0
    assert sum(1 for _ in loaded.scan(query)) == result.total


def test_hostile_queries_generated(loaded: Store) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from(list('"\'()[]{}*?:\\/~^!&|+-<>=ANDORNOT \t\n\x00\x7f西港ค่าlươngvisa'))

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.text(alphabet=alphabet, max_size=80) | st.text(max_size=40))
    def check(q: str) -> None:
        loaded.search(q, size=3)

    check()


def test_concurrent_triage_updates_never_lose_one(loaded: Store, records: R) -> None:
    """Many investigators update the same record at once, each retrying on conflict: every
    change lands exactly once, versions are 1..N, the audit log has N entries."""
    import threading

    rid = records["th"].id
    workers, errors = 6, []

    def work(n: int) -> None:
        for _ in range(200):
            current = loaded.get(rid)
            try:
                loaded.update_triage(rid, {"tags": [*current.triage.tags, f"t{n}"]},
                                     expected_version=current.triage.version, actor=f"inv{n}")
                return
            except ConflictError:
                continue
        errors.append(n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = loaded.get(rid)
    assert got.triage.version == workers
    assert got.triage.tags == sorted(f"t{n}" for n in range(workers))
    trail = loaded.audit(rid)
    assert [e["version"] for e in trail] == list(range(1, workers + 1))
    assert sorted(e["actor"] for e in trail) == sorted(f"inv{n}" for n in range(workers))


def test_v1_record_statuses_are_upgraded_on_read(records: R) -> None:
    d = records["vi"].to_dict()
    d["schema_version"] = 1
    d["triage"] = {**d["triage"], "status": "reviewing"}
    del d["triage"]["tags"]
    r = Record.from_dict(d)
    assert (r.schema_version, r.triage.status, r.triage.tags) == (3, "in_review", [])
    d["triage"]["status"] = "confirmed"
    assert Record.from_dict(d).triage.status == "actioned"
    with pytest.raises(RecordError, match="status"):
        Record.from_dict({**records["vi"].to_dict(), "triage": {"status": "reviewing"}})


def test_v2_records_read_as_v3_without_language_source_or_region(records: R) -> None:
    d = records["vi"].to_dict()
    d["schema_version"] = 2
    del d["lang_source"], d["region"]
    r = Record.from_dict(d)
    assert (r.schema_version, r.lang_source, r.region) == (3, None, None)
    with pytest.raises(RecordError, match="lang_source"):
        Record.from_dict({**records["vi"].to_dict(), "lang_source": "guessed"})
