"""Kind ``reddit``: subreddit JSON listings, parsed on recorded bodies and crawled over HTTP
(pages chained by ``?after=``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from pipeline.demo import sites_root
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureServer, resolve
from pipeline.records import validate
from spiders.base import PAGE, START
from spiders.capture import CaptureContext
from spiders.kinds.reddit import RedditListingSpider, next_page_url, parse_listing, record_from_post

PARTITION = "2026-11-28"
ORIGIN = "http://127.0.0.1:8765"
LISTING = "/r/SEAjobseekers/new.json"
CTX = CaptureContext(source_id="demo-reddit", source_kind="reddit", partition=PARTITION)
PAGE1 = ["1p4kx9a", "1p4jq2c", "1p4ig7e", "1p4h0bd"]
PAGE2 = ["1p4fz1k", "1p4eu5m", "1p4dk8r"]  # plus one malformed child, skipped
PAGE3 = ["1p4cq3t", "1p4b9zh"]
FILES = {1: "new.json", 2: "new__after_t3_1p4h0bd.json", 3: "new__after_t3_1p4dk8r.json"}


def recorded(page: int) -> TextResponse:
    body = (sites_root() / "reddit/r/SEAjobseekers" / FILES[page]).read_bytes()
    url = ORIGIN + LISTING
    return text_response(url, body, page=page)


def text_response(url: str, body: bytes, *, page: int = 1) -> TextResponse:
    request = Request(url, meta={START: url, PAGE: page})
    return TextResponse(url=url, body=body, encoding="utf-8", request=request)


def spider(**kwargs: object) -> tuple[RedditListingSpider, dict]:
    crawler = get_crawler(RedditListingSpider)
    sp = RedditListingSpider.from_crawler(
        crawler,
        source_id="demo-reddit",
        start_urls=[ORIGIN + LISTING],
        partition=PARTITION,
        **kwargs,
    )
    return sp, crawler.stats.get_stats()


def test_listing_and_post_fields() -> None:
    resp = recorded(1)
    children, after = parse_listing(resp.body)
    assert after == "t3_1p4h0bd"
    recs = [record_from_post(c, resp, CTX) for c in children]
    assert [r.extra["post_id"] for r in recs] == PAGE1
    offer = recs[1]
    validate(offer.to_dict())
    assert (
        offer.url
        == "https://www.reddit.com/r/SEAjobseekers/comments/1p4jq2c/hiring_chat_support_typist_sihanoukville_usd_2_000/"
    )
    assert offer.canonical_url == offer.url
    assert offer.author == "hr_overseas_kevin88"
    assert offer.published_at == "2026-11-27T23:00:00+00:00"
    assert offer.title.startswith("[HIRING] Chat support / typist – Sihanoukville")
    assert "Telegram @hr_kevin_sihanouk88 / WhatsApp +855 96 412 7733" in offer.text
    assert offer.extra["flair"] == "Hiring"
    assert offer.extra["name"] == "t3_1p4jq2c"
    assert offer.extra["subreddit"] == "SEAjobseekers"
    warning = recs[2]
    assert warning.extra["flair"] == "Warning"
    assert warning.extra["stickied"] is True
    link_post = recs[3]  # a link post: empty selftext, the outbound link kept
    assert link_post.text == ""
    assert link_post.extra["is_self"] is False
    assert (
        link_post.extra["link_url"]
        == "https://careers.klfreightworks.example/jobs/junior-accountant"
    )


def test_deleted_author_and_malformed_child() -> None:
    sp, stats = spider()
    out = list(sp.parse(recorded(2)))
    recs = [r for r in out if not isinstance(r, Request)]
    assert [r.extra["post_id"] for r in recs] == PAGE2
    deleted = recs[1]
    assert deleted.author is None
    assert deleted.extra["author_deleted"] is True
    assert stats["reddit/entries_skipped"] == 1
    assert stats["lurewatch/entries_skipped"] == 1
    assert stats["reddit/posts"] == 3
    nxt = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in nxt] == [ORIGIN + LISTING + "?after=t3_1p4dk8r&limit=100"]
    assert nxt[0].meta[PAGE] == 3


def test_last_page_and_max_pages_stop() -> None:
    sp, _ = spider(max_pages=3)
    assert not [r for r in sp.parse(recorded(3)) if isinstance(r, Request)]  # after: null
    sp, _ = spider(max_pages=1)
    assert not [r for r in sp.parse(recorded(1)) if isinstance(r, Request)]


def test_next_page_url_keeps_other_parameters() -> None:
    url = "https://www.reddit.com/r/x/new.json?raw_json=1&after=t3_old&limit=25"
    assert (
        next_page_url(url, "t3_new")
        == "https://www.reddit.com/r/x/new.json?raw_json=1&after=t3_new&limit=100"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Too Many Requests</html>",
        b'{"kind": "t3", "data": {}}',
        b'{"kind": "Listing", "data": {"children": "nope"}}',
        b'{"message": "Forbidden", "error": 403}',
        b"[1, 2",
    ],
)
def test_non_listing_bodies_are_parse_failures(body: bytes) -> None:
    sp, stats = spider()
    assert list(sp.parse(text_response(ORIGIN + LISTING, body))) == []
    assert stats["reddit/parse_failures"] == 1


@pytest.mark.parametrize(
    "child",
    [
        None,
        "t3_abc",
        {"kind": "t1", "data": {"id": "c1", "permalink": "/r/x/comments/a/b/c1/", "body": "hi"}},
        {"kind": "t3", "data": {"id": "a1", "title": "no permalink"}},
        {
            "kind": "t3",
            "data": {"id": "a1", "permalink": "https://evil.example/", "title": "absolute"},
        },
        {
            "kind": "t3",
            "data": {
                "id": "a1",
                "permalink": "/r/x/comments/a1/t/",
                "title": None,
                "selftext": None,
            },
        },
    ],
)
def test_unusable_children_give_no_record(child: object) -> None:
    assert record_from_post(child, recorded(1), CTX) is None


def test_bad_created_utc_gives_no_published_at() -> None:
    child = {
        "kind": "t3",
        "data": {"id": "a1", "permalink": "/r/x/comments/a1/t/", "title": "t", "created_utc": "x"},
    }
    rec = record_from_post(child, recorded(1), CTX)
    assert rec is not None
    assert rec.published_at is None


def test_server_maps_after_to_a_file() -> None:
    root = sites_root()
    assert (
        resolve(root, LISTING + "?after=t3_1p4h0bd&limit=100")
        == (root / "reddit/r/SEAjobseekers" / FILES[2]).resolve()
    )
    assert (
        resolve(root, LISTING + "?limit=100")
        == (root / "reddit/r/SEAjobseekers/new.json").resolve()
    )
    assert resolve(root, LISTING + "?after=t3_nope999") is None
    assert resolve(root, LISTING + "?after=../../x") is None


@pytest.fixture(scope="module")
def reddit_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out: Path = tmp_path_factory.mktemp("reddit") / f"{PARTITION}.jsonl"
    return run_crawl(
        "reddit", [fixture_site.url(LISTING)], out, source_id="demo-reddit", partition=PARTITION
    )


def test_crawl_follows_after_over_http(reddit_crawl: CrawlResult) -> None:
    assert reddit_crawl.returncode == 0, reddit_crawl.stderr
    assert [r["extra"]["post_id"] for r in reddit_crawl.records] == PAGE1 + PAGE2 + PAGE3
    assert reddit_crawl.stats["pages"] == 3
    assert reddit_crawl.stats["counters"]["lurewatch/entries_skipped"] == 1
    for rec in reddit_crawl.records:
        validate(rec)
        assert rec["source_kind"] == "reddit"
        assert rec["url"].startswith(
            "https://www.reddit.com/r/SEAjobseekers/comments/" + rec["extra"]["post_id"] + "/"
        )
        assert re.fullmatch(r"2026-11-2\dT\d\d:00:00\+00:00", rec["published_at"])
    pages = {r["extra"]["page_url"].split("?")[-1] for r in reddit_crawl.records}
    assert pages == {
        reddit_crawl.records[0]["extra"]["page_url"].split("?")[-1],
        "after=t3_1p4h0bd&limit=100",
        "after=t3_1p4dk8r&limit=100",
    }


def test_crawl_max_pages_two(fixture_site: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(
        "reddit",
        [fixture_site.url(LISTING)],
        tmp_path / "two.jsonl",
        "--max-pages",
        "2",
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert [r["extra"]["post_id"] for r in res.records] == PAGE1 + PAGE2


def test_fixture_listing_mirrors_reddit_shape() -> None:
    doc = json.loads((sites_root() / "reddit/r/SEAjobseekers/new.json").read_text("utf-8"))
    assert doc["kind"] == "Listing"
    assert {"after", "before", "dist", "children"} <= set(doc["data"])
    post = doc["data"]["children"][0]["data"]
    assert {
        "id",
        "name",
        "author",
        "created_utc",
        "permalink",
        "title",
        "selftext",
        "url",
        "subreddit",
        "is_self",
        "over_18",
        "link_flair_text",
    } <= set(post)
