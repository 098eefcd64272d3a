"""Kind ``jobposting`` beyond JSON-LD: schema.org microdata ads and discovery through
sitemaps (index → sitemaps → job pages), on recorded pages and over HTTP (the microboard)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from pipeline.demo import sites_root
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureServer
from pipeline.records import validate
from spiders import sitemap
from spiders.base import PAGE, START, SpiderArgError
from spiders.capture import CaptureContext
from spiders.dates import to_utc_iso
from spiders.kinds.jobposting import (
    SITEMAP_LASTMOD,
    JobPostingSpider,
    postings_on,
    record_from_posting,
)

PARTITION = "2026-11-28"
ORIGIN = "http://127.0.0.1:8765"
BOARD = ORIGIN + "/microboard/"
CTX = CaptureContext(source_id="demo-microboard", source_kind="jobposting", partition=PARTITION)
JOBS_1 = [
    "it-support-makati-bluecrest",
    "game-operator-poipet-highpay",
    "pharmacist-assistant-cebu-lifeplus",
    "chinese-typist-myawaddy",
    "barista-da-nang-sontra",
]
JOBS_2 = [
    "logistics-coordinator-penang-straits",
    "marketing-specialist-laos-sez",
    "housekeeping-attendant-bali-kayu",
]
REMOVED = "driver-johor-bahru-removed"


def recorded(name: str, *, page: int = 1, meta: dict | None = None) -> HtmlResponse | XmlResponse:
    url = BOARD + name
    request = Request(url, meta={START: url, PAGE: page, **(meta or {})})
    body = (sites_root() / "microboard" / name).read_bytes().replace(b"{{origin}}", ORIGIN.encode())
    cls = XmlResponse if name.endswith(".xml") else HtmlResponse
    return cls(url=url, body=body, encoding="utf-8", request=request)


def spider(**kwargs: object) -> tuple[JobPostingSpider, dict]:
    crawler = get_crawler(JobPostingSpider)
    sp = JobPostingSpider.from_crawler(
        crawler,
        source_id="demo-microboard",
        start_urls=[BOARD + "index.html"],
        partition=PARTITION,
        **kwargs,
    )
    return sp, crawler.stats.get_stats()


def slug(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".html")


def test_microdata_posting_fields() -> None:
    resp = recorded("jobs/game-operator-poipet-highpay.html")
    page, postings, found_in = postings_on(resp)
    assert found_in == "microdata"
    assert len(postings) == 1
    rec = record_from_posting(postings[0], page, resp, CTX)
    validate(rec.to_dict())
    assert rec.title == "Online Game Operator – Poipet (No Experience, USD 1,800)"
    assert rec.published_at == "2026-11-26"
    assert rec.lang == "en"
    assert rec.author is None  # "Confidential employer" is not marked up
    assert rec.extra["location"] == {
        "locality": "Poipet",
        "region": "Banteay Meanchey",
        "country": "KH",
    }
    assert rec.extra["salary"] == {
        "currency": "USD",
        "min": 1500,
        "max": 1800,
        "value": None,
        "unit": "MONTH",
    }
    assert rec.extra["identifier"] == "SCB-40211"
    assert rec.extra["valid_through"] == "2026-12-03T23:59:59+08:00"
    assert rec.extra["links"] == ["https://t.me/poipet_hr_anna"]
    # description read from its markup: list items and paragraphs survive
    assert rec.text.startswith(
        "Urgent! Company in Poipet looking for online game operators and typists.\n\n- No experience"
    )
    assert (
        "- Passport kept by HR for visa processing\n\nContact HR on Telegram @poipet_hr_anna"
        in rec.text
    )


def test_microdata_employer_and_non_english() -> None:
    resp = recorded("jobs/barista-da-nang-sontra.html")
    page, postings, _ = postings_on(resp)
    rec = record_from_posting(postings[0], page, resp, CTX)
    assert rec.author == "Sơn Trà Coffee Roasters"
    assert rec.extra["employer_url"] == "https://sontra.example"
    assert rec.lang == "vi"
    assert rec.extra["employment_type"] == "PART_TIME"


def test_jsonld_preferred_over_microdata_on_the_same_page() -> None:
    body = (
        '<html><head><script type="application/ld+json">{"@type": "JobPosting", "title": "From JSON-LD",'
        ' "description": "x"}</script></head><body><div itemscope itemtype="https://schema.org/JobPosting">'
        '<h1 itemprop="title">From microdata</h1></div></body></html>'
    )
    resp = HtmlResponse(url=BOARD + "jobs/both.html", body=body.encode(), encoding="utf-8")
    _, postings, found_in = postings_on(resp)
    assert found_in == "jsonld"
    assert [p["title"] for p in postings] == ["From JSON-LD"]


def test_page_without_posting_is_counted() -> None:
    sp, stats = spider()
    assert list(sp.parse_job(recorded(f"jobs/{REMOVED}.html"))) == []
    assert stats["jobposting/pages_without_posting"] == 1
    assert stats["jobposting/parse_failures"] == 1
    assert stats["lurewatch/parse_failures"] == 1


def test_sitemap_index_and_urlset_parse() -> None:
    index = sitemap.parse(recorded("sitemap_index.xml"))
    assert index is not None
    assert index.index
    assert [e.loc for e in index.entries] == [
        BOARD + "sitemap-jobs-1.xml",
        BOARD + "sitemap-jobs-2.xml",
        BOARD + "sitemap-pages.xml",
    ]
    jobs = sitemap.parse(recorded("sitemap-jobs-1.xml"))
    assert not jobs.index
    assert [slug(e.loc) for e in jobs.entries] == JOBS_1
    assert jobs.entries[0].lastmod == "2026-11-21T09:00:00+08:00"


def test_sitemap_detection_and_gzip() -> None:
    assert sitemap.looks_like_sitemap(recorded("sitemap_index.xml"))
    assert not sitemap.looks_like_sitemap(recorded("index.html"))
    raw = (
        (sites_root() / "microboard/sitemap-jobs-2.xml")
        .read_bytes()
        .replace(b"{{origin}}", ORIGIN.encode())
    )
    gz = XmlResponse(url=BOARD + "sitemap-jobs-2.xml.gz", body=gzip.compress(raw))
    assert sitemap.looks_like_sitemap(gz)
    assert [slug(e.loc) for e in sitemap.parse(gz).entries] == [*JOBS_2, REMOVED]


@pytest.mark.parametrize(
    "body",
    [
        b"<?xml version='1.0'?><urlset",
        b"<?xml version='1.0'?><rss><channel/></rss>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc></url></urlset>',
        b"",
    ],
)
def test_bad_sitemaps_do_not_raise(body: bytes) -> None:
    parsed = sitemap.parse(XmlResponse(url=BOARD + "sitemap.xml", body=body))
    assert parsed is None or all("root:" not in e.loc for e in parsed.entries)


def test_spider_follows_sitemaps_bounded_by_max_pages_and_job_urls_only() -> None:
    sp, stats = spider(max_pages=2)
    children = list(sp.parse(recorded("sitemap_index.xml")))
    assert [c.url for c in children] == [BOARD + "sitemap-jobs-1.xml", BOARD + "sitemap-jobs-2.xml"]
    jobs = list(sp.parse(recorded("sitemap-jobs-1.xml", page=1)))
    assert [slug(r.url) for r in jobs] == JOBS_1
    assert all(r.callback == sp.parse_job for r in jobs)
    assert jobs[0].meta[SITEMAP_LASTMOD] == "2026-11-21T09:00:00+08:00"
    assert (
        list(sp.parse(recorded("sitemap-pages.xml"))) == []
    )  # index.html, about.html: no job URLs
    assert stats["jobposting/sitemap_urls_skipped"] == 2
    assert stats["jobposting/sitemaps"] == 3


def test_lastmod_kept_on_records_from_sitemap() -> None:
    sp, _ = spider()
    resp = recorded(
        "jobs/chinese-typist-myawaddy.html", meta={SITEMAP_LASTMOD: "2026-11-27T09:00:00+08:00"}
    )
    (rec,) = list(sp.parse_job(resp))
    assert rec.extra["sitemap_lastmod"] == "2026-11-27T09:00:00+08:00"


def test_bad_detail_pattern_is_an_argument_error() -> None:
    with pytest.raises(SpiderArgError, match="detail_pattern"):
        JobPostingSpider(source_id="x", start_urls=[BOARD], partition=PARTITION, detail_pattern="(")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-25", "2026-11-25"),
        ("2026-11-25T10:15:00+07:00", "2026-11-25T03:15:00+00:00"),
        ("2026-11-25T03:15:00Z", "2026-11-25T03:15:00+00:00"),
        ("2026-11-26T10:15:00+0700", "2026-11-26T03:15:00+00:00"),
        ("Thu, 26 Nov 2026 15:40:00 +0700", "2026-11-26T08:40:00+00:00"),
        (1795824000, "2026-11-28T00:00:00+00:00"),
        ("2026-11-25 10:15", "2026-11-25T10:15:00"),  # no offset: none invented
        ("yesterday", None),
        ("2026-13-45", None),
        (None, None),
        (True, None),
        (1e20, None),
    ],
)
def test_published_at_as_utc(raw: object, expected: str | None) -> None:
    assert to_utc_iso(raw) == expected


@pytest.fixture(scope="module")
def micro_listing_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out: Path = tmp_path_factory.mktemp("microboard") / f"{PARTITION}.jsonl"
    return run_crawl(
        "jobposting",
        [fixture_site.url("/microboard/index.html")],
        out,
        source_id="demo-microboard",
        partition=PARTITION,
    )


@pytest.fixture(scope="module")
def micro_sitemap_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out: Path = tmp_path_factory.mktemp("microboard-sitemap") / f"{PARTITION}.jsonl"
    return run_crawl(
        "jobposting",
        [fixture_site.url("/microboard/sitemap_index.xml")],
        out,
        source_id="demo-microboard",
        partition=PARTITION,
    )


def test_listing_crawl_over_http(micro_listing_crawl: CrawlResult) -> None:
    res = micro_listing_crawl
    assert res.returncode == 0, res.stderr
    assert sorted(slug(r["url"]) for r in res.records) == sorted(JOBS_1 + JOBS_2)
    assert res.stats["pages"] == 12  # 3 listing pages + 9 job pages
    counters = res.stats["counters"]
    assert counters["jobposting/microdata_postings"] == 8
    assert counters["jobposting/pages_without_posting"] == 1
    for rec in res.records:
        validate(rec)
        assert re.fullmatch(r"2026-11-\d\d", rec["published_at"])
        assert "sitemap_lastmod" not in rec["extra"]


def test_sitemap_crawl_over_http(
    micro_sitemap_crawl: CrawlResult, fixture_site: FixtureServer
) -> None:
    res = micro_sitemap_crawl
    assert res.returncode == 0, res.stderr
    assert sorted(slug(r["url"]) for r in res.records) == sorted(JOBS_1 + JOBS_2)
    assert all(r["url"].startswith(fixture_site.url("/microboard/jobs/")) for r in res.records)
    assert res.stats["pages"] == 13  # index + 3 sitemaps + 9 job pages
    counters = res.stats["counters"]
    assert counters["jobposting/sitemaps"] == 4
    assert counters["jobposting/sitemap_urls_skipped"] == 2
    assert counters["lurewatch/parse_failures"] == 1
    assert all(r["extra"]["sitemap_lastmod"].endswith("+08:00") for r in res.records)


def test_same_ads_same_ids_from_listing_and_sitemap(
    micro_listing_crawl: CrawlResult, micro_sitemap_crawl: CrawlResult
) -> None:
    assert {r["id"] for r in micro_listing_crawl.records} == {
        r["id"] for r in micro_sitemap_crawl.records
    }


def test_sitemap_index_bounded_by_max_pages_over_http(
    fixture_site: FixtureServer, tmp_path: Path
) -> None:
    res = run_crawl(
        "jobposting",
        [fixture_site.url("/microboard/sitemap_index.xml")],
        tmp_path / "one.jsonl",
        "--max-pages",
        "1",
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert sorted(slug(r["url"]) for r in res.records) == sorted(JOBS_1)


def test_listing_max_pages_two_over_http(fixture_site: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(
        "jobposting",
        [fixture_site.url("/microboard/index.html")],
        tmp_path / "two.jsonl",
        "--max-pages",
        "2",
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert sorted(slug(r["url"]) for r in res.records) == sorted([*JOBS_1, *JOBS_2[:2]])
