"""Job boards that mark up ads as schema.org ``JobPosting`` (JSON-LD or microdata).

A start URL is a listing page or a sitemap (``urlset`` or ``sitemapindex``, also
``.xml.gz``). From listing pages the spider follows links to job pages (URL path matching
``detail_pattern``) and the listing's next page (``rel=next`` or a "Next" link), up to
``max_pages`` listing pages per start URL. From a sitemap it follows the same-host ``<loc>``
URLs matching ``detail_pattern`` as job pages, and from a sitemap index at most
``max_pages`` of its sitemaps. Every ``JobPosting`` on a page becomes a record: the JSON-LD
ones, or when a page has none, the microdata ones. A page that does not parse is skipped
and counted.

Stats: ``jobposting/jsonld_invalid`` (blocks that are not JSON),
``jobposting/pages_without_posting`` (job pages with no JobPosting), ``jobposting/postings``,
``jobposting/microdata_postings``, ``jobposting/sitemaps``,
``jobposting/sitemap_urls_skipped`` (entries not matching ``detail_pattern`` or off-host),
``jobposting/parse_failures`` (job pages without a posting, sitemaps that do not parse).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from pipeline.records import Record
from spiders import jsonld, microdata, sitemap
from spiders.base import PAGE, SourceSpider, SpiderArgError
from spiders.capture import CaptureContext, make_record
from spiders.dates import to_utc_iso
from spiders.htmltext import html_to_text

DEFAULT_DETAIL_PATTERN = r"/(jobs?|vacanc(y|ies)|viec-lam|job-detail)/[^/?#]+"
#: request.meta key: the ``<lastmod>`` of the sitemap entry a job page came from.
SITEMAP_LASTMOD = "lurewatch_sitemap_lastmod"
_NEXT_TEXT = {
    "next",
    "next ›",
    "next »",
    "›",
    "»",
    "next page",
    "trang sau",
    "ถัดไป",
    "下一页",
    "berikutnya",
    "susunod",
}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return _text(value.get("value") or value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            f = float(value.replace(",", ""))
        except ValueError:
            return None
        return int(f) if f.is_integer() else f
    return None


def _location(place: Any, page: jsonld.JsonLd) -> dict[str, str | None] | None:
    place = page.resolve(place)
    if isinstance(place, str):
        return {"locality": place, "region": None, "country": None}
    if not isinstance(place, dict):
        return None
    addr = page.resolve(place.get("address"))
    if isinstance(addr, str):
        return {"locality": addr, "region": None, "country": None}
    if not isinstance(addr, dict):
        return None
    return {
        "locality": _text(addr.get("addressLocality")),
        "region": _text(addr.get("addressRegion")),
        "country": _text(addr.get("addressCountry")),
    }


def _salary(value: Any) -> dict[str, Any] | None:
    value = _first(value)
    if not isinstance(value, dict):
        return None
    amount = value.get("value")
    out: dict[str, Any] = {
        "currency": _text(value.get("currency")),
        "min": None,
        "max": None,
        "value": None,
        "unit": None,
    }
    if isinstance(amount, dict):
        out["min"] = _number(amount.get("minValue"))
        out["max"] = _number(amount.get("maxValue"))
        out["value"] = _number(amount.get("value"))
        out["unit"] = _text(amount.get("unitText"))
    else:
        out["value"] = _number(amount)
    out["unit"] = out["unit"] or _text(value.get("unitText"))
    return out


def description_links(markup: str) -> list[str]:
    """``href`` values of links inside a (possibly escaped) HTML description, in order."""
    if "<" not in markup and "&lt;" in markup:
        markup = html.unescape(markup)
    hrefs = re.findall(r"""<a\s[^>]*href\s*=\s*["']([^"']+)["']""", markup, flags=re.I)
    return list(dict.fromkeys(h.strip() for h in hrefs if h.strip()))


def record_from_posting(
    posting: dict[str, Any], page: jsonld.JsonLd, response: Response, ctx: CaptureContext
) -> Record | None:
    """A record for one JobPosting node, or None when it has neither title nor description."""
    title = _text(posting.get("title"))
    raw_desc = posting.get("description")
    desc = raw_desc if isinstance(raw_desc, str) else ""
    text = html_to_text(desc)
    if not title and not text:
        return None
    org = page.resolve(_first(posting.get("hiringOrganization")))
    employer = _text(org.get("name")) if isinstance(org, dict) else _text(org)
    places = posting.get("jobLocation")
    places = places if isinstance(places, list) else [places] if places else []
    locations = [loc for loc in (_location(p, page) for p in places) if loc]
    extra: dict[str, Any] = {
        "employer": employer,
        "employer_url": _text(org.get("sameAs") or org.get("url"))
        if isinstance(org, dict)
        else None,
        "location": locations[0] if locations else None,
        "salary": _salary(posting.get("baseSalary")),
        "employment_type": posting.get("employmentType"),
        "date_posted": _text(posting.get("datePosted")),
        "valid_through": _text(posting.get("validThrough")),
        "identifier": _text(posting.get("identifier")),
        "posting_url": _text(posting.get("url")),
        "links": description_links(desc),
        "remote": _text(posting.get("jobLocationType")) == "TELECOMMUTE",
    }
    if len(locations) > 1:
        extra["other_locations"] = locations[1:]
    lang = _text(posting.get("inLanguage")) or ctx.lang or response.css("html::attr(lang)").get()
    return make_record(
        ctx,
        response,
        url=response.url,
        title=title,
        text=text,
        published_at=to_utc_iso(_text(posting.get("datePosted"))),
        lang=lang,
        author=employer,
        extra=extra,
    )


def is_detail_url(url: str, host: str | None, pattern: re.Pattern[str]) -> bool:
    """True for an http(s) URL on ``host`` whose path matches ``pattern``."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and parts.hostname == host
        and bool(pattern.search(parts.path))
    )


def detail_links(response: Response, pattern: re.Pattern[str]) -> list[str]:
    """Absolute same-host URLs of links whose path matches ``pattern``, in page order."""
    host = urlsplit(response.url).hostname
    out: dict[str, None] = {}
    for href in response.css("a::attr(href)").getall():
        url = response.urljoin(href.strip()).split("#", 1)[0]
        if is_detail_url(url, host, pattern):
            out.setdefault(url, None)
    return list(out)


def postings_on(response: Response) -> tuple[jsonld.JsonLd, list[dict[str, Any]], str]:
    """The page's JobPosting nodes and where they came from (``jsonld`` or ``microdata``):
    the JSON-LD ones, else the microdata ones (boards that carry both describe the same ad
    twice). The returned JsonLd resolves ``@id`` references among the chosen nodes."""
    page = jsonld.extract(response)
    postings = page.of_type("JobPosting")
    if postings or "itemscope" not in response.text:
        return page, postings, "jsonld"
    nodes = microdata.extract(response.selector.root, response.url)
    flat: list[dict[str, Any]] = []
    stack = list(nodes)
    while stack:  # JobPostings may sit inside other items (an ItemList, a WebPage)
        node = stack.pop(0)
        flat.append(node)
        for value in node.values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, dict):
                    stack.append(v)
    md = jsonld.JsonLd(nodes=flat, invalid_blocks=page.invalid_blocks, errors=page.errors)
    return md, md.of_type("JobPosting"), "microdata"


def next_page(response: Response) -> str | None:
    """The listing's next page: ``rel=next`` (link or anchor), else an anchor labelled Next."""
    href = response.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').get()
    if not href:
        for a in response.css("a[href]"):
            label = " ".join(a.css("::text").getall()).strip().lower()
            if label in _NEXT_TEXT:
                href = a.attrib["href"]
                break
    return response.urljoin(href.strip()) if href else None


class JobPostingSpider(SourceSpider):
    """Job ads from boards with JobPosting JSON-LD (kind ``jobposting``).

    Extra argument: ``detail_pattern``, a regex for job-page URL paths
    (default ``DEFAULT_DETAIL_PATTERN``).
    """

    name = "jobposting"
    source_kind = "jobposting"

    def __init__(self, *args: Any, detail_pattern: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.detail_re = re.compile(detail_pattern or DEFAULT_DETAIL_PATTERN)
        except re.error as exc:
            raise SpiderArgError(f"detail_pattern={detail_pattern!r} is not a regex: {exc}") from exc

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing page (its own postings, job pages, the next page) or a sitemap."""
        if sitemap.looks_like_sitemap(response):
            yield from self.parse_sitemap(response)
            return
        yield from self._records(response, listing=True)
        for url in detail_links(response, self.detail_re):
            yield self.follow(response, url, self.parse_job)
        page = int(response.meta.get(PAGE, 1))
        nxt = next_page(response)
        if nxt and page < self.args.max_pages:
            yield self.follow(response, nxt, self.parse, page=page + 1)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Job pages listed in a sitemap; the sitemaps of a sitemap index (<= max_pages)."""
        self.inc("lurewatch/pages")
        parsed = sitemap.parse(response)
        if parsed is None:
            self.skip("parse_failures", response.url, "not a readable sitemap")
            return
        self.inc("jobposting/sitemaps")
        if parsed.index:
            for entry in parsed.entries[: self.args.max_pages]:
                yield self.follow(response, entry.loc, self.parse_sitemap)
            return
        host = urlsplit(response.url).hostname
        for entry in parsed.entries:
            if not is_detail_url(entry.loc, host, self.detail_re):
                self.inc("jobposting/sitemap_urls_skipped")
                continue
            request = self.follow(response, entry.loc, self.parse_job)
            request.meta[SITEMAP_LASTMOD] = entry.lastmod
            yield request

    def parse_job(self, response: Response) -> Iterator[Any]:
        yield from self._records(response, listing=False)

    def _records(self, response: Response, *, listing: bool) -> Iterator[Record]:
        self.inc("lurewatch/pages")
        if not hasattr(response, "css"):
            self.inc("lurewatch/non_html_pages")
            return
        page, postings, found_in = postings_on(response)
        if page.invalid_blocks:
            self.inc("jobposting/jsonld_invalid", page.invalid_blocks)
            self.logger.warning(
                "skipping invalid JSON-LD on %s: %s", response.url, "; ".join(page.errors)
            )
        if not postings and not listing:
            self.inc("jobposting/pages_without_posting")
            self.skip("parse_failures", response.url, "job page without a JobPosting")
        try:
            lastmod = response.meta.get(SITEMAP_LASTMOD)
        except AttributeError:  # a response built by hand, without a request
            lastmod = None
        records = []
        for posting in postings:
            rec = record_from_posting(posting, page, response, self.ctx)
            if rec is None:
                self.inc("jobposting/empty_posting")
                continue
            self.inc("jobposting/postings")
            if found_in == "microdata":
                self.inc("jobposting/microdata_postings")
            if lastmod:
                rec.extra["sitemap_lastmod"] = lastmod
            records.append(rec)
        yield from self.counted(response, records)
