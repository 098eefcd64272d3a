"""Classifieds read with selectors from the register (kind ``listing``).

Argument ``selectors`` (a JSON object, or a dict): CSS, or XPath when prefixed ``xpath:``;
CSS may end in ``::text`` or ``::attr(name)``.

* on listing pages: ``item_links`` (required; links to detail pages: ``href`` values, or
  ``<a>`` elements whose ``href`` is used) and ``next_page`` (optional; the next listing
  page, followed up to ``max_pages`` pages per start URL);
* on detail pages: ``title`` and ``text`` (required), ``published_at``, ``author``,
  ``location``, ``price``, ``salary`` (optional).

A selector that picks elements reads their text with line breaks kept (``text``) or on one
line (the others); ``published_at`` prefers an element's ``datetime`` attribute and is
stored in ISO 8601 UTC (the raw value stays in ``extra.published_raw``). A detail page on
which neither title nor text is found is skipped and counted.

Stats: ``listing/items``, ``listing/parse_failures``, ``listing/pages_without_links``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import lxml.etree
from cssselect import SelectorError
from parsel import Selector, SelectorList
from parsel.csstranslator import css2xpath
from scrapy.http import Response

from pipeline.records import Record
from spiders.base import PAGE, SourceSpider, SpiderArgError
from spiders.capture import CaptureContext, make_record
from spiders.dates import to_utc_iso
from spiders.htmltext import element_text

REQUIRED = ("item_links", "title", "text")
OPTIONAL = ("next_page", "published_at", "author", "location", "price", "salary")
XPATH_PREFIX = "xpath:"
#: request.meta key: the listing page a detail page was linked from.
LISTING_URL = "lurewatch_listing_url"
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class FieldSelector:
    """One named selector, checked at construction (see :func:`parse_selectors`)."""

    name: str
    expr: str

    @property
    def is_xpath(self) -> bool:
        return self.expr.startswith(XPATH_PREFIX)

    def select(self, sel: Selector | Response) -> SelectorList[Selector]:
        if self.is_xpath:
            return sel.xpath(self.expr[len(XPATH_PREFIX) :].strip())
        return sel.css(self.expr)


def _check(name: str, expr: Any) -> FieldSelector:
    if not isinstance(expr, str) or not expr.strip():
        raise SpiderArgError(f"selectors.{name}: give a CSS selector or 'xpath:<expression>'")
    field = FieldSelector(name, expr.strip())
    try:
        if field.is_xpath:
            lxml.etree.XPath(field.expr[len(XPATH_PREFIX) :].strip())
        else:
            css2xpath(field.expr)
    except (SelectorError, lxml.etree.XPathSyntaxError) as exc:
        kind = "XPath" if field.is_xpath else "CSS selector"
        raise SpiderArgError(f"selectors.{name}: invalid {kind} {field.expr!r}: {exc}") from exc
    return field


def parse_selectors(raw: str | Mapping[str, Any] | None) -> dict[str, FieldSelector]:
    """Validate the ``selectors`` argument; raises SpiderArgError naming the bad key."""
    if raw is None or raw == "":
        raise SpiderArgError(
            "selectors is required for kind listing: a JSON object with "
            f"{', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})"
        )
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise SpiderArgError(f"selectors: not valid JSON: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise SpiderArgError("selectors: must be a JSON object mapping field names to selectors")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise SpiderArgError(
            f"selectors.{unknown[0]}: unknown field; use {', '.join(REQUIRED + OPTIONAL)}"
        )
    for name in REQUIRED:
        if name not in raw:
            raise SpiderArgError(f"selectors.{name} is required (CSS, or 'xpath:<expression>')")
    return {name: _check(name, expr) for name, expr in raw.items()}


def _strings(results: SelectorList[Selector], *, attr: str | None = None) -> list[str]:
    """String results as they are; element results as their ``attr`` (if given and set)
    or their text on one line."""
    out = []
    for r in results:
        if isinstance(r.root, str):
            value = r.root
        elif attr and r.root.get(attr) is not None:
            value = r.root.get(attr)
        else:
            value = element_text(r.root) if hasattr(r.root, "iter") else str(r.root)
        value = _WS.sub(" ", value).strip()
        if value:
            out.append(value)
    return out


def _block_text(results: SelectorList[Selector]) -> str:
    """Text of selected elements (line breaks kept) or strings, joined by blank lines."""
    parts = []
    for r in results:
        if isinstance(r.root, str):
            part = r.root.strip()
        elif hasattr(r.root, "iter"):
            part = element_text(r.root)
        else:
            part = str(r.root)
        if part:
            parts.append(part)
    return "\n\n".join(parts)


def links(response: Response, field: FieldSelector) -> list[str]:
    """Absolute http(s) URLs selected by ``field`` (``href`` of elements), in page order."""
    out: dict[str, None] = {}
    for href in _strings(field.select(response), attr="href"):
        url = response.urljoin(href).split("#", 1)[0]
        if url.startswith(("http://", "https://")):
            out.setdefault(url, None)
    return list(out)


def one_line(response: Response, sels: Mapping[str, FieldSelector], name: str) -> str | None:
    if name not in sels:
        return None
    return " ".join(_strings(sels[name].select(response))) or None


def record_from_detail(
    response: Response, sels: Mapping[str, FieldSelector], ctx: CaptureContext
) -> Record | None:
    """A record for one detail page, or None when neither title nor text is found."""
    title = one_line(response, sels, "title")
    text = _block_text(sels["text"].select(response))
    if not title and not text:
        return None
    published_raw = None
    if "published_at" in sels:
        found = _strings(sels["published_at"].select(response), attr="datetime")
        published_raw = found[0] if found else None
    try:
        listing_url = response.meta.get(LISTING_URL)
    except AttributeError:  # a response built by hand, without a request
        listing_url = None
    extra: dict[str, Any] = {
        name: one_line(response, sels, name) for name in ("location", "price", "salary")
    }
    extra.update(published_raw=published_raw, listing_url=listing_url)
    return make_record(
        ctx,
        response,
        url=response.url,
        title=title,
        text=text,
        published_at=to_utc_iso(published_raw),
        author=one_line(response, sels, "author"),
        extra=extra,
    )


class ListingSpider(SourceSpider):
    """Classified ads: listing pages → detail pages, read with configured selectors."""

    name = "listing"
    source_kind = "listing"

    def __init__(
        self, *args: Any, selectors: str | Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.selectors = parse_selectors(selectors)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing page: follow its detail links and its next page."""
        self.inc("lurewatch/pages")
        if not hasattr(response, "css"):
            self.skip("parse_failures", response.url, "listing page is not HTML")
            return
        items = links(response, self.selectors["item_links"])
        if not items:
            self.inc("listing/pages_without_links")
            self.logger.warning("no item links on listing page %s", response.url)
        for url in items:
            request = self.follow(response, url, self.parse_item)
            request.meta[LISTING_URL] = response.url
            yield request
        page = int(response.meta.get(PAGE, 1))
        if "next_page" in self.selectors and page < self.args.max_pages:
            nxt = links(response, self.selectors["next_page"])
            if nxt and nxt[0] != response.url:
                yield self.follow(response, nxt[0], self.parse, page=page + 1)

    def parse_item(self, response: Response) -> Iterator[Any]:
        self.inc("lurewatch/pages")
        rec = (
            record_from_detail(response, self.selectors, self.ctx)
            if hasattr(response, "css")
            else None
        )
        if rec is None:
            self.skip("parse_failures", response.url, "no title or text found")
            return
        self.inc("listing/items")
        yield from self.counted(response, [rec])
