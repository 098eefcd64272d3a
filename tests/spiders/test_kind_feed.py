"""Kind ``feed``: RSS 2.0 and Atom job feeds, parsed on recorded bodies and crawled over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from pipeline.demo import sites_root
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureServer
from pipeline.records import validate
from spiders.base import PAGE, START
from spiders.capture import CaptureContext
from spiders.kinds.feed import FeedSpider, parse_feed, record_from_entry

PARTITION = "2026-11-28"
ORIGIN = "http://127.0.0.1:8765"
CTX = CaptureContext(source_id="demo-feed", source_kind="feed", partition=PARTITION)
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
RSS_PAGE1 = [
    "lumen-ledger-senior-bookkeeper-xero",
    "golden-bay-entertainment-customer-support-cambodia",
    "kopi-kode-junior-frontend-developer-react",
    "mekong-voice-bpo-thai-chat-support",
]
RSS_PAGE2 = ["saigon-tutors-online-english-tutor", "harbor-analytics-data-analyst"]
ATOM_PAGE1 = ["88120", "88117", "88109", "88102"]
ATOM_PAGE2 = ["88095", "88090", "88084"]


def recorded(name: str, *, page: int = 1) -> XmlResponse:
    url = f"{ORIGIN}/feeds/{name}"
    body = (sites_root() / "feeds" / name).read_bytes().replace(b"{{origin}}", ORIGIN.encode())
    return xml(url, body, page=page)


def xml(url: str, body: bytes, *, page: int = 1) -> XmlResponse:
    request = Request(url, meta={START: url, PAGE: page})
    return XmlResponse(url=url, body=body, encoding="utf-8", request=request)


def spider(**kwargs: object) -> tuple[FeedSpider, dict]:
    crawler = get_crawler(FeedSpider)
    sp = FeedSpider.from_crawler(
        crawler,
        source_id="demo-feed",
        start_urls=[ORIGIN + "/feeds/x.xml"],
        partition=PARTITION,
        **kwargs,
    )
    return sp, crawler.stats.get_stats()


def test_rss_entries_fields_and_atom_link_next() -> None:
    resp = recorded("remote-jobs.xml")
    feed = parse_feed(resp)
    assert feed is not None
    assert feed.title == "Remote Asia Jobs: All Remote Jobs"
    assert feed.next_url == ORIGIN + "/feeds/remote-jobs-2.xml"  # <atom:link rel="next"> in RSS
    recs = [record_from_entry(e, feed, resp, CTX) for e in feed.entries]
    assert [r.url.rsplit("/", 1)[1] for r in recs] == RSS_PAGE1
    scam = recs[1]
    validate(scam.to_dict())
    assert scam.title.startswith("Golden Bay Entertainment: Customer Support")
    assert scam.published_at == "2026-11-26T08:40:00+00:00"  # +0700 converted to UTC
    assert scam.text.startswith("Relocation package: free air ticket, visa, dormitory and meals.")
    assert "<" not in scam.text
    assert scam.extra["categories"] == ["Customer Support"]
    assert scam.extra["guid"] == scam.url
    assert scam.extra["links"] == ["https://t.me/goldenbay_hr_lily"]
    assert scam.extra["feed_title"] == "Remote Asia Jobs: All Remote Jobs"


def test_atom_entries_authors_content_and_next() -> None:
    resp = recorded("atom-jobs.xml")
    feed = parse_feed(resp)
    assert feed.next_url == ORIGIN + "/feeds/atom-jobs-page2.xml"
    recs = {
        r.url.rsplit("/", 1)[1].split("-", 1)[0]: r
        for r in (record_from_entry(e, feed, resp, CTX) for e in feed.entries)
    }
    assert list(recs) == ATOM_PAGE1
    crew = recs["88117"]  # <content> is fuller than <summary>: content wins
    assert (
        crew.text
        == "Full-time service crew for our Katipunan branch.\n\n- SSS, PhilHealth, Pag-IBIG\n- Free meals on duty"
    )
    assert crew.author == "Kainan ni Aling Rosa"
    assert crew.published_at == "2026-11-26T06:00:00+00:00"
    assert crew.extra["guid"] == "tag:trabahonow.example,2026:job-88117"
    checker = recs["88102"]  # no <published>: falls back to <updated>
    assert checker.published_at == "2026-11-24T08:20:00+00:00"
    assert parse_feed(recorded("atom-jobs-page2.xml", page=2)).next_url is None


def test_malformed_entry_skipped_and_counted() -> None:
    sp, stats = spider()
    out = list(sp.parse(recorded("remote-jobs-2.xml", page=2)))
    assert [r.url.rsplit("/", 1)[1] for r in out] == RSS_PAGE2
    assert stats["feed/entries_skipped"] == 1
    assert stats["lurewatch/entries_skipped"] == 1
    assert stats["feed/entries"] == 2


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><p>Not a feed</p></body></html>",
        b"",
        b"\x00\xff\xfe garbage",
        b"/etc/passwd",  # feedparser would open a path given as a string; bodies go in as streams
    ],
)
def test_non_feed_pages_are_parse_failures(body: bytes) -> None:
    sp, stats = spider()
    assert list(sp.parse(xml(ORIGIN + "/feeds/x.xml", body))) == []
    assert stats["feed/parse_failures"] == 1
    assert stats["lurewatch/parse_failures"] == 1


def test_next_page_bounded_by_max_pages() -> None:
    sp, _ = spider(max_pages=2)
    out = list(sp.parse(recorded("atom-jobs.xml")))
    nxt = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in nxt] == [ORIGIN + "/feeds/atom-jobs-page2.xml"]
    assert nxt[0].meta[PAGE] == 2
    assert not [r for r in sp.parse(recorded("atom-jobs.xml", page=2)) if isinstance(r, Request)]


@pytest.fixture(scope="module")
def feed_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out: Path = tmp_path_factory.mktemp("feed") / f"{PARTITION}.jsonl"
    return run_crawl(
        "feed",
        [fixture_site.url("/feeds/remote-jobs.xml"), fixture_site.url("/feeds/atom-jobs.xml")],
        out,
        source_id="demo-feeds",
        partition=PARTITION,
    )


def test_crawl_follows_both_feeds_over_http(
    feed_crawl: CrawlResult, fixture_site: FixtureServer
) -> None:
    assert feed_crawl.returncode == 0, feed_crawl.stderr
    stats = feed_crawl.stats
    assert stats["items"] == 13
    assert stats["pages"] == 4  # 2 RSS pages + 2 Atom pages
    assert stats["records_by_start_url"] == {
        fixture_site.url("/feeds/remote-jobs.xml"): 6,
        fixture_site.url("/feeds/atom-jobs.xml"): 7,
    }
    assert stats["counters"]["lurewatch/entries_skipped"] == 1
    tails = {r["url"].rsplit("/", 1)[1] for r in feed_crawl.records}
    assert set(RSS_PAGE1 + RSS_PAGE2) <= tails
    assert {t.split("-", 1)[0] for t in tails if t[:1].isdigit()} == set(ATOM_PAGE1 + ATOM_PAGE2)
    for rec in feed_crawl.records:
        validate(rec)
        assert rec["source_kind"] == "feed"
        assert ISO_UTC.match(rec["published_at"]), rec["published_at"]
        assert rec["title"]
        assert rec["text"]


def test_crawl_max_pages_one(fixture_site: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(
        "feed",
        [fixture_site.url("/feeds/atom-jobs.xml")],
        tmp_path / "one.jsonl",
        "--max-pages",
        "1",
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert [r["url"].rsplit("/", 1)[1].split("-", 1)[0] for r in res.records] == ATOM_PAGE1
