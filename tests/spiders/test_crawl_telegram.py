"""Crawl the demo Telegram channel preview over HTTP (two pages via ?before=)."""

from __future__ import annotations

from pipeline.demo import TELEGRAM_PATH
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureServer
from pipeline.records import validate

PARTITION = "2026-11-28"

NEWER_PAGE = [201, 202, 203, 204, 205, 206, 207, 208]
OLDER_PAGE = [188, 190, 193, 195, 197, 200]


def by_id(crawl: CrawlResult) -> dict[int, dict]:
    return {r["extra"]["message_id"]: r for r in crawl.records}


def test_one_record_per_message_across_both_pages(telegram_crawl: CrawlResult) -> None:
    assert telegram_crawl.returncode == 0, telegram_crawl.stderr
    assert [r["extra"]["message_id"] for r in telegram_crawl.records] == NEWER_PAGE + OLDER_PAGE
    assert telegram_crawl.stats["pages"] == 2
    assert telegram_crawl.stats["counters"]["telegram/messages"] == 14
    for rec in telegram_crawl.records:
        validate(rec)
        mid = rec["extra"]["message_id"]
        assert rec["url"] == f"https://t.me/vieclam_nuocngoai_24h/{mid}"
        assert rec["canonical_url"] == rec["url"]
        assert rec["source_kind"] == "telegram"
        assert rec["title"] is None
        assert rec["lang"] == "vi"  # the --lang hint
        assert rec["author"] == "Việc làm nước ngoài 24h"
        assert rec["extra"]["channel"] == "vieclam_nuocngoai_24h"
    assert len({r["id"] for r in telegram_crawl.records}) == 14


def test_message_fields(telegram_crawl: CrawlResult) -> None:
    msgs = by_id(telegram_crawl)
    m = msgs[193]
    assert m["published_at"] == "2026-11-22T11:47:05+00:00"
    assert m["extra"]["views"] == 12_400
    assert m["extra"]["views_raw"] == "12.4K"
    assert m["extra"]["links"] == ["https://t.me/tuyendung_cskh_88"]
    assert m["text"].startswith(
        "🔥🔥 TUYỂN GẤP 20 NV CSKH TẠI CAMPUCHIA 🔥🔥\n\nViệc nhẹ lương cao"
    )
    assert m["extra"]["forwarded_from"] is None
    fwd = msgs[195]
    assert fwd["extra"]["forwarded_from"] == "Asia Jobs Hub"
    assert fwd["extra"]["forwarded_from_url"] == "https://t.me/asiajobshub_official/4471"
    assert fwd["extra"]["links"] == ["https://wa.me/66952031784"]
    assert msgs[204]["extra"]["views"] == 987
    assert msgs[203]["extra"]["has_media"] is True
    assert msgs[207]["extra"]["links"] == [
        "https://t.me/bavet_tuyendung_vip",
        "https://wa.me/855972418856",
    ]
    # page 1 and page 2 are different captures
    assert msgs[201]["body_sha256"] != msgs[200]["body_sha256"]
    assert msgs[200]["extra"]["page_url"].endswith(f"{TELEGRAM_PATH}?before=201")


def test_max_pages_limits_older_pages(fixture_site: FixtureServer, tmp_path) -> None:
    res = run_crawl(
        "telegram",
        [fixture_site.url(TELEGRAM_PATH)],
        tmp_path / "one.jsonl",
        "--max-pages",
        "1",
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert [r["extra"]["message_id"] for r in res.records] == NEWER_PAGE
