"""The spider base class: arguments every source kind takes, and crawl bookkeeping."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from spiders.capture import CaptureContext

_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
DEFAULT_MAX_PAGES = 3
#: request.meta keys
START = "lurewatch_start"
PAGE = "lurewatch_page"


class SpiderArgError(ValueError):
    """A spider argument is missing or invalid; the message names it."""


@dataclass(frozen=True)
class SpiderArgs:
    """Validated spider arguments (see :meth:`parse`)."""

    source_id: str
    start_urls: tuple[str, ...]
    partition: str
    lang: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES

    @classmethod
    def parse(
        cls,
        *,
        source_id: str | None,
        start_urls: str | Iterable[str] | None,
        partition: str | None,
        lang: str | None = None,
        max_pages: int | str | None = None,
    ) -> SpiderArgs:
        """Validate raw arguments (strings from ``-a`` or Python values); raises SpiderArgError.

        ``start_urls`` is a list or a comma-separated string; ``partition`` is YYYY-MM-DD;
        ``max_pages`` (listing/preview pages followed per start URL) is >= 1.
        """
        if not source_id or not _SOURCE_ID.match(source_id):
            raise SpiderArgError(
                f"source_id={source_id!r}: use 1-64 of a-z 0-9 . _ - (it names data directories)"
            )
        if isinstance(start_urls, str):
            urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        else:
            urls = [u.strip() for u in start_urls or () if u and u.strip()]
        if not urls:
            raise SpiderArgError("start_urls: give at least one http(s) URL")
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SpiderArgError(f"start_urls: {url!r} is not an http(s) URL")
        if not partition:
            raise SpiderArgError("partition is required (YYYY-MM-DD, the day the crawl belongs to)")
        try:
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", partition):
                raise ValueError(partition)
            date.fromisoformat(partition)
        except ValueError as exc:
            raise SpiderArgError(f"partition={partition!r} is not a YYYY-MM-DD date") from exc
        if lang is not None and lang != "" and not _LANG.match(lang):
            raise SpiderArgError(f"lang={lang!r} is not a language tag like 'vi' or 'zh-Hans'")
        pages = DEFAULT_MAX_PAGES if max_pages in (None, "") else max_pages
        try:
            pages_int = int(pages)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise SpiderArgError(f"max_pages={max_pages!r} is not an integer") from exc
        if pages_int < 1:
            raise SpiderArgError(f"max_pages={max_pages!r} must be >= 1")
        return cls(source_id, tuple(dict.fromkeys(urls)), partition, lang or None, pages_int)


class SourceSpider(scrapy.Spider):
    """Base for one spider per source kind.

    Arguments (``-a`` or keyword): ``source_id``, ``start_urls`` (list or comma-separated),
    ``partition`` (YYYY-MM-DD, required), ``lang`` (hint), ``max_pages`` (default 3).
    Stats: ``lurewatch/pages`` (responses parsed), ``lurewatch/records``,
    ``lurewatch/records_by_start/<url>``, ``lurewatch/request_errors``.
    """

    source_kind: ClassVar[str]

    def __init__(
        self,
        source_id: str | None = None,
        start_urls: str | Iterable[str] | None = None,
        partition: str | None = None,
        lang: str | None = None,
        max_pages: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.args = SpiderArgs.parse(
            source_id=source_id,
            start_urls=start_urls,
            partition=partition,
            lang=lang,
            max_pages=max_pages,
        )
        self.start_urls = list(self.args.start_urls)
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
        self.ctx = CaptureContext(
            source_id=self.args.source_id,
            source_kind=self.source_kind,
            partition=self.args.partition,
            lang=self.args.lang,
        )

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield scrapy.Request(
                url, callback=self.parse, errback=self.on_error, meta={START: url, PAGE: 1}
            )

    def follow(
        self, response: Response, url: str, callback: Any, *, page: int | None = None
    ) -> scrapy.Request:
        """A request for ``url`` that carries the start URL (and the listing page number)."""
        meta = {
            START: response.meta.get(START, response.url),
            PAGE: page or response.meta.get(PAGE, 1),
        }
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    def inc(self, key: str, count: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    def skip(self, what: str, url: str, why: str) -> None:
        """Count a page or entry that did not parse and go on: ``<kind>/<what>`` and
        ``lurewatch/<what>`` (``parse_failures`` for pages, ``entries_skipped`` for entries
        within a page) += 1, and a warning saying why."""
        self.inc(f"{self.source_kind}/{what}")
        self.inc(f"lurewatch/{what}")
        self.logger.warning("skipped (%s) %s: %s", what, url, why)

    def counted(self, response: Response, records: Iterable[Any]) -> Iterable[Any]:
        """Yield ``records``, counting them overall and per start URL."""
        start = response.meta.get(START, response.url)
        for rec in records:
            self.inc("lurewatch/records")
            self.inc(f"lurewatch/records_by_start/{start}")
            yield rec

    def on_error(self, failure: Failure) -> None:
        """Log a failed request: ``IgnoreRequest`` (robots.txt, private-address guard) as a
        warning, anything else (HTTP error status, DNS, timeout) as an error."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.inc("lurewatch/ignored_requests")
            self.logger.warning("request not made: %s: %s", url, failure.getErrorMessage())
            return
        response = getattr(failure.value, "response", None)
        why = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.inc("lurewatch/request_errors")
        self.logger.error("request failed: %s: %s", url, why or failure.type)
