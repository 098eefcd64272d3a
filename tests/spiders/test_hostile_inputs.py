"""Hostile responses over real HTTP (pipeline/demo/hostile.py on 127.0.0.1): none crashes the
crawl; each is counted in the stats and appears in the run summary (``--stats-out``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.hostile import MAXSIZE_TEST, TITLES, HostileServer

PARTITION = "2026-11-28"


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer(slow_seconds=3.0) as srv:
        yield srv


def crawl(srv: HostileServer, tmp: Path, paths: list[str], *extra: str, lang: str | None = None) -> CrawlResult:
    args = [*extra, *(("--lang", lang) if lang else ())]
    return run_crawl("jobposting", [srv.url(p) for p in paths], tmp / "out.jsonl", *args, partition=PARTITION,
                     source_id="hostile", timeout=120)


def no_crash(res: CrawlResult) -> None:
    assert res.stats, res.stderr  # the summary was written: the process ran to the end
    assert res.stats["finish_reason"] == "finished", res.stderr
    assert "Traceback" not in res.stderr


@pytest.fixture(scope="module")
def charset_crawl(hostile: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return crawl(hostile, tmp_path_factory.mktemp("charsets"), ["/cp1252", "/tis620", "/nocharset", "/malformed"])


@pytest.fixture(scope="module")
def size_crawl(hostile: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return crawl(hostile, tmp_path_factory.mktemp("sizes"), ["/big", "/big-stream", "/bomb", "/ok/1"],
                 "--set", f"DOWNLOAD_MAXSIZE={MAXSIZE_TEST}", "--set", f"DOWNLOAD_WARNSIZE={MAXSIZE_TEST // 2}")


def title_by_url(res: CrawlResult) -> dict[str, str]:
    return {r["url"].rsplit("/", 1)[1]: r["title"] for r in res.records}


@pytest.mark.parametrize("case", ["cp1252", "tis620", "nocharset"])
def test_wrong_or_missing_charset_is_decoded_sensibly(charset_crawl: CrawlResult, case: str) -> None:
    no_crash(charset_crawl)
    assert title_by_url(charset_crawl)[case] == TITLES[case]


@pytest.mark.parametrize(("counter", "expected"), [
    ("lurewatch/hostile/charset_wrong", 3),  # cp1252, tis620 and malformed (stray bytes) declared utf-8
    ("lurewatch/hostile/charset_conflict", 1),  # tis620: header utf-8, meta tis-620
    ("lurewatch/hostile/charset_missing", 1),  # nocharset
    ("lurewatch/hostile/nul_bytes", 1),  # malformed
])
def test_charset_cases_are_counted(charset_crawl: CrawlResult, counter: str, expected: int) -> None:
    assert charset_crawl.stats["counters"].get(counter) == expected
    assert charset_crawl.stats["health"]["hostile"][counter.rsplit("/", 1)[1]] == expected


def test_gb18030_without_charset_decodes_with_the_sources_language(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/gb18030"], lang="zh")
    no_crash(res)
    assert res.returncode == 0, res.stderr
    assert [r["title"] for r in res.records] == [TITLES["gb18030"]]
    assert res.stats["counters"]["lurewatch/hostile/charset_missing"] == 1


def test_malformed_html_with_nul_bytes_still_yields_its_posting(charset_crawl: CrawlResult) -> None:
    assert title_by_url(charset_crawl)["malformed"] == TITLES["malformed"]
    assert charset_crawl.returncode == 0, charset_crawl.stderr
    assert charset_crawl.stats["ok"] is True


def test_binary_garbage_is_counted_and_fails_the_run_cleanly(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/binary"])
    no_crash(res)
    assert res.returncode == 1
    counters = res.stats["counters"]
    assert counters["lurewatch/hostile/binary_body"] == 1
    assert counters["lurewatch/hostile/undecodable"] == 1
    assert counters["lurewatch/parse_failures"] == 1
    assert any("parser stopped matching" in p for p in res.stats["problems"])


def test_oversized_responses_are_cancelled_and_counted(size_crawl: CrawlResult) -> None:
    no_crash(size_crawl)
    # /big is refused from its Content-Length, /big-stream while streaming
    assert size_crawl.stats["counters"]["lurewatch/hostile/too_large"] == 2
    by_path = {u.rsplit(":", 1)[1].split("/", 1)[1]: n for u, n in size_crawl.stats["records_by_start_url"].items()}
    assert by_path == {"big": 0, "big-stream": 0, "bomb": 0, "ok/1": 1}


def test_responses_past_the_warning_size_are_counted(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/ok/4"], "--set", "DOWNLOAD_WARNSIZE=100")
    assert res.returncode == 0, res.stderr
    assert res.stats["counters"]["lurewatch/hostile/large_response"] == 1


def test_gzip_bomb_stops_at_the_size_limit(size_crawl: CrawlResult) -> None:
    no_crash(size_crawl)
    assert size_crawl.stats["counters"]["lurewatch/hostile/decompression_bomb"] == 1
    assert "during decompression" in size_crawl.stderr
    assert size_crawl.returncode == 1  # three of four start URLs gave nothing
    assert any("hostile input: decompression_bomb" in w for w in size_crawl.stats["warnings"])


def test_endless_pagination_is_bounded_by_max_pages(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/endless/1"], "--max-pages", "4")
    no_crash(res)
    assert res.returncode == 0, res.stderr
    assert sorted(r["title"] for r in res.records) == [f"Endless {n}" for n in range(1, 5)]
    assert "/endless/5" not in hostile.paths()


def test_endless_pagination_is_bounded_by_the_page_cap(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/endless/100"], "--max-pages", "100000", "--set", "LUREWATCH_PAGE_CAP=6")
    no_crash(res)
    assert res.returncode == 0, res.stderr
    assert len(res.records) == 6
    assert res.stats["counters"]["lurewatch/hostile/page_cap"] == 1
    assert "/endless/107" not in hostile.paths()


def test_slow_responses_time_out_with_retries_and_backoff(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/slow", "/ok/2"], "--set", "DOWNLOAD_TIMEOUT=0.5", "--set", "RETRY_TIMES=2",
                "--set", "LUREWATCH_RETRY_BACKOFF_BASE=0.2")
    no_crash(res)
    counters = res.stats["counters"]
    assert counters["lurewatch/hostile/timeout"] == 3  # first try + 2 retries
    assert counters["lurewatch/retry_backoff_seconds"] == pytest.approx(0.2 + 0.4)
    assert counters["lurewatch/request_errors"] == 1
    assert res.returncode == 1
    assert "no records from start URL" in res.stderr


def test_robots_txt_disallowed_page_is_never_fetched(hostile: HostileServer, tmp_path: Path) -> None:
    res = crawl(hostile, tmp_path, ["/robots/"])
    no_crash(res)
    assert res.stats["counters"]["robotstxt/forbidden"] == 1
    assert not any(p.startswith("/private/") for p in hostile.paths())


def test_per_source_concurrency_is_honoured(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.max_in_flight = 0
    res = crawl(hostile, tmp_path, ["/fanout/"], "--concurrency", "1")
    assert res.returncode == 0, res.stderr
    assert len(res.records) == 6
    assert hostile.max_in_flight == 1


def test_requests_carry_the_identifying_user_agent(hostile: HostileServer, tmp_path: Path) -> None:
    before = len(hostile.requests)
    res = crawl(hostile, tmp_path, ["/ok/3"])
    assert res.returncode == 0, res.stderr
    agents = {ua for _, ua in hostile.requests[before:]}
    assert agents
    assert all(ua.startswith("LureWatch/") and "+https://" in ua for ua in agents)
