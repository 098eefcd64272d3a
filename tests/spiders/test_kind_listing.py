"""Kind ``listing``: classifieds read with selectors from the register; selector checks,
detail parsing on recorded pages, and the crawl over HTTP with ``--spider-arg selectors=``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from pipeline.demo import sites_root
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureServer
from pipeline.records import validate
from spiders.base import PAGE, START, SpiderArgError
from spiders.capture import CaptureContext
from spiders.kinds.listing import ListingSpider, links, parse_selectors, record_from_detail

PARTITION = "2026-11-28"
ORIGIN = "http://127.0.0.1:8765"
START_PATH = "/classifieds/jobs/index.html"
CTX = CaptureContext(source_id="demo-classifieds", source_kind="listing", partition=PARTITION)
SELECTORS = {
    "item_links": "li.cl-static-search-result > a::attr(href)",
    "next_page": "xpath://a[contains(@class, 'cl-next-page')]/@href",
    "title": "#titletextonly::text",
    "text": "section#postingbody",
    "published_at": "time.date",
    "author": ".seller-name::text",
    "location": "xpath://div[@class='mapaddress']//text()",
    "salary": ".attrgroup .salary",
}
PAGE1_IDS = ["7801234567", "7801234571", "7801234580", "7801234588", "7801234593"]
PAGE2_IDS = ["7801234602", "7801234610", "7801234617"]  # + a deleted posting, skipped


def recorded(rel: str, *, page: int = 1) -> HtmlResponse:
    url = f"{ORIGIN}/classifieds/{rel}"
    request = Request(url, meta={START: url, PAGE: page})
    body = (sites_root() / "classifieds" / rel).read_bytes()
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=request)


def detail(ad_id: str) -> HtmlResponse:
    path = next((sites_root() / "classifieds/jobs/d").glob(f"*/{ad_id}.html"))
    return recorded(str(path.relative_to(sites_root() / "classifieds")))


def spider(**kwargs: object) -> tuple[ListingSpider, dict]:
    crawler = get_crawler(ListingSpider)
    kwargs.setdefault("selectors", json.dumps(SELECTORS))
    sp = ListingSpider.from_crawler(
        crawler,
        source_id="demo-classifieds",
        start_urls=[ORIGIN + START_PATH],
        partition=PARTITION,
        **kwargs,
    )
    return sp, crawler.stats.get_stats()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "selectors is required for kind listing"),
        ("", "selectors is required for kind listing"),
        ("{not json", "selectors: not valid JSON"),
        ("[1, 2]", "selectors: must be a JSON object"),
        ({"item_links": "a", "title": "h1"}, "selectors.text is required"),
        ({"title": "h1", "text": "p"}, "selectors.item_links is required"),
        ({**SELECTORS, "body": "p"}, "selectors.body: unknown field"),
        ({**SELECTORS, "title": ""}, "selectors.title: give a CSS selector"),
        ({**SELECTORS, "title": 3}, "selectors.title: give a CSS selector"),
        ({**SELECTORS, "title": "h1[class="}, "selectors.title: invalid CSS selector 'h1[class='"),
        ({**SELECTORS, "next_page": "a::nope"}, "selectors.next_page: invalid CSS selector"),
        ({**SELECTORS, "text": "xpath://div[@id='x'"}, "selectors.text: invalid XPath"),
    ],
)
def test_invalid_selectors_name_the_field(raw: object, message: str) -> None:
    with pytest.raises(SpiderArgError, match=re.escape(message)):
        parse_selectors(raw)  # type: ignore[arg-type]


def test_spider_refuses_bad_selectors_at_construction() -> None:
    with pytest.raises(SpiderArgError, match="selectors.title"):
        ListingSpider(
            source_id="x",
            start_urls=[ORIGIN],
            partition=PARTITION,
            selectors={"item_links": "a", "text": "p"},
        )


def test_listing_links_and_next_page_css_xpath_and_elements() -> None:
    sels = parse_selectors(SELECTORS)
    page1 = recorded("jobs/index.html")
    items = links(page1, sels["item_links"])
    assert [u.rsplit("/", 1)[1].removesuffix(".html") for u in items] == PAGE1_IDS
    assert all(u.startswith(ORIGIN + "/classifieds/jobs/d/") for u in items)
    assert links(page1, sels["next_page"]) == [ORIGIN + "/classifieds/jobs/page2.html"]
    # an element selector (no ::attr) gives the elements' href
    assert (
        links(
            page1,
            parse_selectors({**SELECTORS, "item_links": "li.cl-static-search-result a"})[
                "item_links"
            ],
        )
        == items
    )
    assert links(recorded("jobs/page2.html"), sels["next_page"]) == []


def test_detail_fields() -> None:
    sels = parse_selectors(SELECTORS)
    rec = record_from_detail(detail("7801234571"), sels, CTX)
    validate(rec.to_dict())
    assert rec.title == "Typing job Sihanoukville – salary $1500, no experience, free room + food"
    assert rec.text.startswith("URGENT need 20 staff for typing and online chat.\nNo experience ok")
    assert (
        "Passport keep by company for safety.\n\nTelegram: @hr_long_shv88\nWhatsApp: +855 96 778 1204"
        in rec.text
    )
    assert rec.published_at == "2026-11-27T06:40:00+00:00"
    assert rec.extra["published_raw"] == "2026-11-27T13:40:00+0700"
    assert rec.author == "HR Mr. Long"
    assert rec.extra["location"] == "Sihanoukville"
    assert rec.extra["salary"] == "$1,500 / month"
    assert rec.extra["price"] is None  # not configured
    no_seller = record_from_detail(detail("7801234588"), sels, CTX)
    assert no_seller.author is None


def test_deleted_posting_skipped_and_counted() -> None:
    sp, stats = spider()
    assert list(sp.parse_item(detail("7801234599"))) == []
    assert stats["listing/parse_failures"] == 1
    assert stats["lurewatch/parse_failures"] == 1
    assert len(list(sp.parse_item(detail("7801234567")))) == 1
    assert stats["listing/items"] == 1


def test_parse_follows_items_and_next_within_max_pages() -> None:
    sp, _ = spider(max_pages=2)
    out = list(sp.parse(recorded("jobs/index.html")))
    assert [r.callback for r in out].count(sp.parse_item) == 5
    nxt = [r for r in out if r.callback == sp.parse]
    assert [(r.url, r.meta[PAGE]) for r in nxt] == [(ORIGIN + "/classifieds/jobs/page2.html", 2)]
    out2 = list(sp.parse(recorded("jobs/page2.html", page=2)))
    assert all(r.callback == sp.parse_item for r in out2)
    assert len(out2) == 4


@pytest.fixture(scope="module")
def listing_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out: Path = tmp_path_factory.mktemp("listing") / f"{PARTITION}.jsonl"
    return run_crawl(
        "listing",
        [fixture_site.url(START_PATH)],
        out,
        "--spider-arg",
        "selectors=" + json.dumps(SELECTORS),
        source_id="demo-classifieds",
        partition=PARTITION,
    )


def test_crawl_over_http_with_spider_arg(
    listing_crawl: CrawlResult, fixture_site: FixtureServer
) -> None:
    assert listing_crawl.returncode == 0, listing_crawl.stderr
    ids = sorted(r["url"].rsplit("/", 1)[1].removesuffix(".html") for r in listing_crawl.records)
    assert ids == sorted(PAGE1_IDS + PAGE2_IDS)
    assert listing_crawl.stats["pages"] == 11  # 2 listing pages + 9 detail pages
    assert listing_crawl.stats["counters"]["lurewatch/parse_failures"] == 1
    for rec in listing_crawl.records:
        validate(rec)
        assert rec["source_kind"] == "listing"
        assert rec["title"]
        assert rec["text"]
        assert re.fullmatch(r"2026-11-2\dT\d\d:\d\d:00\+00:00", rec["published_at"])
        assert rec["extra"]["listing_url"] in {
            fixture_site.url(START_PATH),
            fixture_site.url("/classifieds/jobs/page2.html"),
        }


def test_crawl_max_pages_one(fixture_site: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(
        "listing",
        [fixture_site.url(START_PATH)],
        tmp_path / "one.jsonl",
        "--max-pages",
        "1",
        "--spider-arg",
        "selectors=" + json.dumps(SELECTORS),
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert (
        sorted(r["url"].rsplit("/", 1)[1].removesuffix(".html") for r in res.records) == PAGE1_IDS
    )


def test_crawl_with_invalid_selectors_fails_and_says_why(
    fixture_site: FixtureServer, tmp_path: Path
) -> None:
    res = run_crawl(
        "listing",
        [fixture_site.url(START_PATH)],
        tmp_path / "bad.jsonl",
        "--spider-arg",
        'selectors={"item_links": "a", "text": "p"}',
        partition=PARTITION,
    )
    assert res.returncode != 0
    assert "selectors.title is required" in res.stderr
    assert res.records == []
