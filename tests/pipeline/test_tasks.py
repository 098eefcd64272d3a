"""What the DAG tasks call: the partition a run covers, the asset-event extra of a crawl, and
the (source, partition) targets of a processing run, from events or a manual run's conf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.tasks import crawl_event, partition_key, process_targets


def test_partition_prefers_the_logical_date_then_the_interval_then_the_run_id() -> None:
    day, now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC), dt.datetime(2026, 12, 8, 3, 22, tzinfo=dt.UTC)
    # a manual run for 2026-11-28 triggered on 2026-12-08: Airflow 3 starts its interval at the trigger
    assert partition_key(data_interval_start=now, logical_date=day) == "2026-11-28"
    assert partition_key(data_interval_start=now) == "2026-12-08"
    assert partition_key(run_id="manual__2026-11-27T10:00:00+00:00") == "2026-11-27"
    with pytest.raises(ValueError, match="trigger it with a logical date"):
        partition_key(run_id="asset_triggered__x")


def test_crawl_event_names_source_partition_and_files() -> None:
    crawled = {"source_id": "kh-board", "partition": "2026-11-28", "out": "/d/raw/kh-board/2026-11-28.jsonl",
               "written": 3, "removed": 1, "items": 9}
    assert crawl_event(crawled) == {
        "source": "kh-board", "partition": "2026-11-28", "file": "/d/raw/kh-board/2026-11-28.jsonl",
        "removed_file": "/d/raw/kh-board/2026-11-28.removed.jsonl", "written": 3, "removed": 1}


def test_targets_from_events_each_once_oldest_day_first() -> None:
    events = [{"source": "tg.vn", "partition": "2026-11-28"}, {"source": "kh-board", "partition": "2026-11-29"},
              {"source": "kh-board", "partition": "2026-11-28", "written": 0},
              {"source": "tg.vn", "partition": "2026-11-28"}]
    assert process_targets(events, {"partition": "2026-01-01", "sources": ["ignored"]}) == [
        {"source": "kh-board", "partition": "2026-11-28"}, {"source": "tg.vn", "partition": "2026-11-28"},
        {"source": "kh-board", "partition": "2026-11-29"}]


def test_targets_of_a_manual_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert process_targets([], {"partition": "2026-11-28", "sources": ["b", "a"]}) == [
        {"source": "a", "partition": "2026-11-28"}, {"source": "b", "partition": "2026-11-28"}]
    monkeypatch.setenv("LUREWATCH_DATA_DIR", str(tmp_path))
    for name in ("x/2026-11-28.jsonl", "y/2026-11-28.jsonl", "y/2026-11-27.jsonl", "z/2026-11-28.removed.jsonl"):
        (tmp_path / "raw" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "raw" / name).write_text("", "utf-8")
    assert process_targets([], {"partition": "2026-11-28", "sources": []}) == [
        {"source": "x", "partition": "2026-11-28"}, {"source": "y", "partition": "2026-11-28"}]


@pytest.mark.parametrize(("events", "params", "message"), [
    ([], {}, r'no asset event triggered this run and no partition was given: trigger it with conf \{"partition"'),
    ([], {"partition": "28/11/2026"}, r"conf: partition '28/11/2026' is not a day like 2026-11-28"),
    ([], {"partition": "2026-11-28", "sources": ["../etc"]}, r"conf: source '../etc' is not a register source id"),
    ([{"source": "a", "partition": "2026-11-*"}], {}, r"asset event: partition '2026-11-\*' is not a day"),
    ([{"partition": "2026-11-28"}], {}, r"asset event: source None is not a register source id"),
])
def test_bad_targets_are_refused_saying_what_to_do(events: list, params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        process_targets(events, params)
