"""Item pipelines: schema validation drops bad items; the writer commits whole or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from pipeline.records import Record
from spiders.pipelines import JsonLinesRecordWriter, RecordValidationPipeline


def make(partition: str = "2026-11-28", text: str = "hello") -> Record:
    return Record.from_capture(
        source_id="s",
        source_kind="telegram",
        url="https://t.me/c/1",
        text=text,
        body_sha256="0" * 64,
        fetched_at="2026-11-28T10:00:00+00:00",
        partition=partition,
    )


def test_valid_record_passes_invalid_ones_are_dropped_and_counted() -> None:
    crawler = get_crawler()
    pipe = RecordValidationPipeline.from_crawler(crawler)
    rec = make()
    assert pipe.process_item(rec) is rec
    with pytest.raises(DropItem, match="invalid record field partition"):
        pipe.process_item(make(partition="28/11/2026"))
    with pytest.raises(DropItem, match="not a Record: dict"):
        pipe.process_item({"text": "x"})
    assert crawler.stats.get_value("lurewatch/invalid_records") == 2


def test_writer_is_off_without_output_setting() -> None:
    with pytest.raises(NotConfigured):
        JsonLinesRecordWriter.from_crawler(get_crawler())


def test_writer_commits_on_finished(tmp_path: Path) -> None:
    out = tmp_path / "p" / "2026-11-28.jsonl"
    w = JsonLinesRecordWriter(out)
    w.open_spider()
    for i in range(3):
        w.process_item(make(text=f"m{i}"))
    assert not out.exists()  # nothing visible until close
    w.spider_closed(spider=None, reason="finished")  # type: ignore[arg-type]
    lines = out.read_text("utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["m0", "m1", "m2"]
    assert [p.name for p in out.parent.iterdir()] == [out.name]


@pytest.mark.parametrize("reason", ["shutdown", "cancelled", "closespider_errorcount"])
def test_writer_discards_unfinished_crawls(tmp_path: Path, reason: str) -> None:
    out = tmp_path / "2026-11-28.jsonl"
    out.write_text("old\n", "utf-8")
    w = JsonLinesRecordWriter(out)
    w.open_spider()
    w.process_item(make())
    w.spider_closed(spider=None, reason=reason)  # type: ignore[arg-type]
    assert out.read_text("utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_writer_keeps_old_output_when_nothing_was_captured(tmp_path: Path) -> None:
    out = tmp_path / "2026-11-28.jsonl"
    out.write_text("old\n", "utf-8")
    w = JsonLinesRecordWriter(out)
    w.open_spider()
    w.spider_closed(spider=None, reason="finished")  # type: ignore[arg-type]
    assert out.read_text("utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
