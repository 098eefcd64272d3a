"""JobPosting parsing on the recorded demo pages and on hostile JSON-LD."""

from __future__ import annotations

import re

import pytest
from scrapy.http import HtmlResponse

from pipeline.demo import sites_root
from pipeline.records import validate
from spiders import jsonld
from spiders.capture import CaptureContext
from spiders.kinds.jobposting import (
    DEFAULT_DETAIL_PATTERN,
    detail_links,
    next_page,
    record_from_posting,
)

BASE = "http://127.0.0.1:8000/jobboard/"
CTX = CaptureContext(source_id="demo-jobboard", source_kind="jobposting", partition="2026-11-28")


def recorded(name: str) -> HtmlResponse:
    path = sites_root() / "jobboard" / name
    return HtmlResponse(url=BASE + name, body=path.read_bytes(), encoding="utf-8")


def page_of(ld: str, url: str = BASE + "jobs/x.html") -> HtmlResponse:
    body = f'<html lang="en"><head><script type="application/ld+json">{ld}</script></head></html>'
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8")


def test_listing_links_and_pagination() -> None:
    index = recorded("index.html")
    links = detail_links(index, re.compile(DEFAULT_DETAIL_PATTERN))
    assert len(links) == 7
    assert all(u.startswith(BASE + "jobs/") for u in links)
    assert next_page(index) == BASE + "page2.html"
    page2 = recorded("page2.html")
    assert len(detail_links(page2, re.compile(DEFAULT_DETAIL_PATTERN))) == 6
    assert next_page(page2) is None


def test_next_link_by_label_when_no_rel() -> None:
    body = (
        b'<html><body><a href="?page=1">1</a> <a href="?page=3">Next \xe2\x80\xba</a></body></html>'
    )
    resp = HtmlResponse(url=BASE + "list?page=2", body=body, encoding="utf-8")
    assert next_page(resp) == BASE + "list?page=3"


def test_every_recorded_job_page_parses_except_the_malformed_one() -> None:
    jobs = sorted((sites_root() / "jobboard" / "jobs").glob("*.html"))
    assert len(jobs) == 13
    parsed = {}
    for path in jobs:
        page = jsonld.extract(recorded("jobs/" + path.name))
        postings = page.of_type("JobPosting")
        if path.name == "office-assistant-siem-reap.html":
            assert page.invalid_blocks == 1
            assert postings == []
            assert "block 0" in page.errors[0]
            continue
        assert page.invalid_blocks == 0, path.name
        assert len(postings) == 1, path.name
        rec = record_from_posting(postings[0], page, recorded("jobs/" + path.name), CTX)
        assert rec is not None
        validate(rec.to_dict())
        parsed[path.name] = rec
    assert len(parsed) == 12
    thai = parsed["admin-online-myawaddy.html"]  # page with a WebSite block and a JobPosting block
    assert thai.lang == "th"
    assert thai.extra["location"]["country"] == "MM"
    assert thai.extra["links"] == ["https://t.me/maesot_jobs_th"]


def test_graph_types_with_prefixes_lists_and_references() -> None:
    ld = """{"@context": "https://schema.org", "@graph": [
      {"@type": "Organization", "@id": "#o", "name": "Acme Co"},
      {"@type": ["schema:JobPosting"], "title": "Clerk", "description": "Line 1\\nLine 2",
       "hiringOrganization": {"@id": "#o"}, "jobLocation": [{"address": "Phnom Penh"},
       {"address": {"addressLocality": "Kampot", "addressCountry": {"name": "KH"}}}],
       "baseSalary": {"currency": "USD", "value": "1,200", "unitText": "MONTH"},
       "identifier": [{"value": 77}], "inLanguage": "km"}]}"""
    resp = page_of(ld)
    page = jsonld.extract(resp)
    (posting,) = page.of_type("JobPosting")
    rec = record_from_posting(posting, page, resp, CTX)
    assert rec is not None
    assert rec.author == "Acme Co"
    assert rec.text == "Line 1\nLine 2"
    assert rec.lang == "km"
    assert rec.extra["location"] == {"locality": "Phnom Penh", "region": None, "country": None}
    assert rec.extra["other_locations"] == [{"locality": "Kampot", "region": None, "country": "KH"}]
    assert rec.extra["salary"] == {
        "currency": "USD",
        "min": None,
        "max": None,
        "value": 1200,
        "unit": "MONTH",
    }
    assert rec.extra["identifier"] == "77"


@pytest.mark.parametrize(
    "ld",
    [
        "",  # empty block
        "{not json",
        '["a string", 3, null]',
        '{"@type": "JobPosting"}',  # neither title nor description
        '{"@type": "Organization", "name": "x"}',
    ],
)
def test_hostile_blocks_yield_no_records_and_do_not_raise(ld: str) -> None:
    resp = page_of(ld)
    page = jsonld.extract(resp)
    recs = [record_from_posting(p, page, resp, CTX) for p in page.of_type("JobPosting")]
    assert [r for r in recs if r is not None] == []


def test_lang_falls_back_to_crawl_hint_then_page() -> None:
    resp = page_of('{"@type": "JobPosting", "title": "T", "description": "d"}')
    page = jsonld.extract(resp)
    (posting,) = page.of_type("JobPosting")
    assert record_from_posting(posting, page, resp, CTX).lang == "en"  # <html lang>
    hinted = CaptureContext(
        source_id="s", source_kind="jobposting", partition="2026-11-28", lang="vi"
    )
    assert record_from_posting(posting, page, resp, hinted).lang == "vi"


def test_blocks_are_counted_one_by_one_and_hostile_nesting_is_an_invalid_block() -> None:
    good = '{"@type": "JobPosting", "title": "Clerk", "description": "d"}'
    deep = "[" * 100_000 + "]" * 100_000
    body = "".join(f'<script type="application/ld+json">{b}</script>'
                   for b in (good, "{broken", deep, "  ", good.replace("Clerk", "Cook")))
    page = jsonld.extract(HtmlResponse(url=BASE + "x.html", body=body.encode(), encoding="utf-8"))
    assert [p["title"] for p in page.of_type("JobPosting")] == ["Clerk", "Cook"]
    assert page.invalid_blocks == 2
    assert [e.split(":")[0] for e in page.errors] == ["block 1", "block 2"]


def test_comment_before_the_json_and_raw_newlines_in_strings_are_read() -> None:
    ld = '<!-- board template -->\n{"@type": "JobPosting", "title": "T", "description": "a\nb"}'
    page = jsonld.extract(page_of(ld))
    (posting,) = page.of_type("JobPosting")
    assert posting["description"] == "a\nb"
    assert page.invalid_blocks == 0
