"""Crawl-health monitors: table-driven ``(stats, thresholds, expected problems)``, the settings
that feed them, and over-HTTP runs whose parser stopped matching."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings as ScrapySettings

from pipeline.demo.crawl import run_crawl
from pipeline.demo.hostile import HostileServer
from pipeline.settings import ConfigError, Settings
from spiders.monitors import Thresholds, evaluate, health, parse_coverage
from spiders.run import summarize

PARTITION = "2026-11-28"


def stats(pages: int = 10, items: int = 10, errors: int = 0, empty: int = 0, failures: int = 0,
          fields: dict[str, int] | None = None, parsed: int | None = None) -> dict[str, Any]:
    filled = {"title": items, "text": items, "published_at": items, "url": items, **(fields or {})}
    return {
        "finish_reason": "finished",
        "lurewatch/pages": pages,
        "lurewatch/parsed_pages": pages if parsed is None else parsed,
        "item_scraped_count": items,
        "lurewatch/request_errors": errors,
        "lurewatch/empty_pages": empty,
        "lurewatch/parse_failures": failures,
        "lurewatch/callback_errors": failures,
        **{f"lurewatch/fields/{k}": v for k, v in filled.items()},
    }


DEFAULT = Thresholds()

#: (stats, thresholds, expected problems as (monitor, text in the reason))
CASES: list[tuple[dict[str, Any], Thresholds, list[tuple[str, str]]]] = [
    (stats(), DEFAULT, []),
    (stats(pages=0, items=0, parsed=0), DEFAULT, [("item_count", "zero items")]),
    (stats(items=0, empty=10), DEFAULT, [("parser", "parser stopped matching: 10 of 10 pages")]),
    (stats(items=0, failures=3, empty=0), DEFAULT, [("parser", "parser stopped matching")]),
    (stats(items=0, empty=0, parsed=2, pages=2), DEFAULT, [("item_count", "zero items (2 pages parsed")]),
    (stats(items=4), Thresholds(min_items=5), [("item_count", "4 items, below the minimum of 5")]),
    (stats(items=5), Thresholds(min_items=5), []),
    (stats(pages=6, errors=4), DEFAULT, [("error_rate", "error rate 40% (4 failed requests) above 25%")]),
    (stats(pages=9, errors=3), DEFAULT, []),  # exactly 25%: not above
    (stats(pages=9, errors=3), Thresholds(max_error_rate=0.1), [("error_rate", "above 10%")]),
    (stats(pages=10, items=3, empty=6), DEFAULT, [("parser", "parser stopped matching on 60% of pages")]),
    (stats(pages=10, items=3, empty=3, failures=2), DEFAULT, []),  # 50%: not above
    (stats(pages=10, items=3, empty=3, failures=3), DEFAULT, [("parser", "3 parser errors, of 10")]),
    (stats(items=10, fields={"text": 7}), DEFAULT, [("field_coverage", "field 'text' filled in 70% of records")]),
    (stats(items=10, fields={"url": 9}), DEFAULT,
     [("field_coverage", "field 'url' filled in 90% of records, below 100%")]),
    (stats(items=10, fields={"title": 0, "published_at": 0}), DEFAULT, []),  # not enforced by default
    (stats(items=10, fields={"title": 4}), Thresholds(min_coverage={"title": 0.5}),
     [("field_coverage", "field 'title' filled in 40%")]),
    (stats(pages=4, items=1, errors=4, empty=3, fields={"text": 0}), Thresholds(min_items=2),
     [("item_count", "1 items"), ("error_rate", "50%"), ("parser", "75%"), ("field_coverage", "'text'")]),
]


@pytest.mark.parametrize(("raw", "thresholds", "expected"), CASES)
def test_monitors(raw: dict[str, Any], thresholds: Thresholds, expected: list[tuple[str, str]]) -> None:
    problems = evaluate(health(raw), thresholds)
    assert [p.monitor for p in problems] == [m for m, _ in expected]
    for problem, (_, text) in zip(problems, expected, strict=True):
        assert text in problem.reason


def test_health_reports_coverage_rates_and_hostile_counters() -> None:
    raw = {**stats(pages=8, items=4, errors=2, empty=2, fields={"title": 1}),
           "lurewatch/hostile/timeout": 3, "lurewatch/ssrf_blocked": 2}
    h = health(raw).to_dict()
    assert h["coverage"] == {"title": 0.25, "text": 1.0, "published_at": 1.0, "url": 1.0}
    assert h["error_rate"] == 0.2
    assert h["empty_page_rate"] == 0.25
    assert h["hostile"] == {"timeout": 3}
    assert h["ssrf_blocked"] == 2
    assert health({}).coverage == {"title": None, "text": None, "published_at": None, "url": None}


def test_summary_lists_failed_monitors_as_problems() -> None:
    summary = summarize(stats(items=0, empty=5, pages=5), [], DEFAULT)
    assert summary["ok"] is False
    assert summary["monitors"][0]["monitor"] == "parser"
    assert summary["problems"] == [f"parser: {summary['monitors'][0]['reason']}"]
    assert summarize(stats(), [], DEFAULT)["ok"] is True


@pytest.mark.parametrize(("raw", "expected"), [
    ("", {}),
    ("text=0.8,url=1", {"text": 0.8, "url": 1.0}),
    (" title = 0.5 , ", {"title": 0.5}),
    ({"published_at": "0.3"}, {"published_at": 0.3}),
])
def test_parse_coverage(raw: str | dict[str, str], expected: dict[str, float]) -> None:
    assert parse_coverage(raw) == expected


@pytest.mark.parametrize("raw", ["body=0.5", "text=lots", "text=1.5", "text"])
def test_parse_coverage_rejects_bad_entries(raw: str) -> None:
    with pytest.raises(ValueError, match="coverage"):
        parse_coverage(raw)


def test_thresholds_from_scrapy_settings_with_project_defaults() -> None:
    s = ScrapySettings()
    s.setmodule("spiders.settings", priority="project")
    assert Thresholds.from_settings(s) == Thresholds(min_items=1, max_error_rate=0.25, max_empty_page_rate=0.5,
                                                     min_coverage={"text": 0.8, "url": 1.0})
    s.set("LUREWATCH_MONITOR_MIN_COVERAGE", "title=0.9", priority="cmdline")
    s.set("LUREWATCH_MONITOR_MIN_ITEMS", "7", priority="cmdline")
    assert Thresholds.from_settings(s).min_coverage == {"title": 0.9}
    assert Thresholds.from_settings(s).min_items == 7


@pytest.mark.parametrize(("env", "message"), [
    ({"LUREWATCH_MONITOR_MIN_ITEMS": "-1"}, "LUREWATCH_MONITOR_MIN_ITEMS"),
    ({"LUREWATCH_MONITOR_MAX_ERROR_RATE": "2"}, "between 0 and 1"),
    ({"LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE": "half"}, "LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE"),
    ({"LUREWATCH_MONITOR_MIN_COVERAGE": "body=1"}, "FIELD=SHARE"),
    ({"LUREWATCH_PAGE_CAP": "lots"}, "LUREWATCH_PAGE_CAP"),
])
def test_bad_monitor_settings_say_what_to_do(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_monitor_settings_from_env() -> None:
    s = Settings.from_env({"LUREWATCH_MONITOR_MIN_ITEMS": "3", "LUREWATCH_PAGE_CAP": "0"})
    assert s.crawl["LUREWATCH_MONITOR_MIN_ITEMS"] == "3"
    assert s.crawl["LUREWATCH_PAGE_CAP"] == "0"
    assert Settings.from_env({}).crawl["LUREWATCH_MONITOR_MIN_COVERAGE"] == "text=0.8,url=1"


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def test_markup_change_fails_the_run_with_parser_stopped_matching(hostile: HostileServer, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"previous": "partition"}\n', "utf-8")
    res = run_crawl("jobposting", [hostile.url("/changed/")], out, partition=PARTITION)
    assert res.returncode == 1
    assert "FAILED" in res.stderr
    assert "parser stopped matching" in res.stderr
    assert any(p.startswith("parser: parser stopped matching: 4 of 5 pages") for p in res.stats["problems"])
    assert res.stats["health"]["empty_pages"] == 4
    assert out.read_text("utf-8") == '{"previous": "partition"}\n'  # the last good partition stays


def test_partly_changed_markup_fails_on_the_empty_page_share(hostile: HostileServer, tmp_path: Path) -> None:
    res = run_crawl("jobposting", [hostile.url("/partly/")], tmp_path / "out.jsonl", partition=PARTITION)
    assert [r["title"] for r in res.records] == ["Warehouse packer"]
    assert res.returncode == 1
    assert [m["monitor"] for m in res.stats["monitors"]] == ["parser"]
    assert "parser stopped matching on 67% of pages" in res.stats["monitors"][0]["reason"]
    # the same crawl passes when the operator accepts that share
    ok = run_crawl("jobposting", [hostile.url("/partly/")], tmp_path / "ok.jsonl", "--set",
                   "LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE=0.7", partition=PARTITION)
    assert ok.returncode == 0, ok.stderr


def test_env_threshold_reaches_the_crawl(hostile: HostileServer, tmp_path: Path) -> None:
    res = run_crawl("jobposting", [hostile.url("/ok/9")], tmp_path / "out.jsonl", partition=PARTITION,
                    env={"LUREWATCH_MONITOR_MIN_ITEMS": "2"})
    assert res.returncode == 1
    assert "item_count: 1 items, below the minimum of 2 (LUREWATCH_MONITOR_MIN_ITEMS)" in res.stderr
