"""Downloader and spider middlewares that keep a crawl safe on a hostile web.

Registered by dotted path in ``spiders/settings.py`` (section "crawl safety"):

* The SSRF guard (downloader, 10) and its resolver live in :mod:`spiders.ssrf`.
* :class:`PageCapMiddleware` (downloader, 20): at most ``LUREWATCH_PAGE_CAP`` pages per crawl.
* :class:`RetryBackoffMiddleware` (downloader, 30): retried requests wait exponentially longer.
* :class:`HostileInputMiddleware` (downloader, 585, after decompression): counts timeouts and
  oversized responses, repairs wrong or missing charsets, counts NUL bytes and binary bodies.
* :class:`CountingHttpCompressionMiddleware` (downloader, 590, replaces Scrapy's): counts
  decompression bombs (bodies that inflate past ``DOWNLOAD_MAXSIZE``).
* :class:`ParseHealthMiddleware` (spider): counts pages whose callback yielded nothing and
  callbacks that raised (parse failures), for the crawl-health monitors.

Every hostile case is counted under ``lurewatch/hostile/<case>``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.statscollectors import StatsCollector
from twisted.internet.error import TimeoutError as TxTimeoutError
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

logger = logging.getLogger(__name__)


def _inc(stats: StatsCollector | None, key: str, count: int = 1) -> None:
    if stats is not None:
        stats.inc_value(key, count)

class PageCapMiddleware:
    """Downloader middleware: once ``LUREWATCH_PAGE_CAP`` responses were received (robots.txt
    excluded), further requests are dropped and counted ``lurewatch/hostile/page_cap``; the
    crawl then finishes normally with what it has. 0 switches the cap off."""

    def __init__(self, cap: int, stats: StatsCollector | None = None) -> None:
        self.cap = cap
        self.stats = stats
        self.pages = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageCapMiddleware:
        return cls(crawler.settings.getint("LUREWATCH_PAGE_CAP"), stats=crawler.stats)

    def process_request(self, request: Request) -> None:
        if self.cap and self.pages >= self.cap and not _is_robots(request.url):
            _inc(self.stats, "lurewatch/hostile/page_cap")
            raise IgnoreRequest(f"page cap reached (LUREWATCH_PAGE_CAP={self.cap}); not fetching {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        if not _is_robots(request.url):
            self.pages += 1
        return response


def _is_robots(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


class RetryBackoffMiddleware:
    """Downloader middleware: a request retried for the n-th time (``meta["retry_times"]``,
    set by Scrapy's RetryMiddleware) first waits ``LUREWATCH_RETRY_BACKOFF_BASE × 2^(n-1)``
    seconds, at most ``LUREWATCH_RETRY_BACKOFF_MAX`` (Scrapy 2.19 has no retry backoff).
    Stats: ``lurewatch/retry_backoff_seconds``."""

    def __init__(self, base: float, maximum: float, stats: StatsCollector | None = None) -> None:
        self.base = base
        self.maximum = maximum
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        s = crawler.settings
        return cls(s.getfloat("LUREWATCH_RETRY_BACKOFF_BASE"), s.getfloat("LUREWATCH_RETRY_BACKOFF_MAX"), crawler.stats)

    def delay(self, retry_times: int) -> float:
        """Seconds to wait before the ``retry_times``-th retry (0 for a first attempt)."""
        if retry_times <= 0 or self.base <= 0:
            return 0.0
        return float(min(self.maximum, self.base * 2 ** (retry_times - 1)))

    async def process_request(self, request: Request) -> None:
        wait = self.delay(int(request.meta.get("retry_times", 0)))
        if wait > 0:
            _inc(self.stats, "lurewatch/retry_backoff_seconds", wait)  # type: ignore[arg-type]
            await asyncio.sleep(wait)


#: Legacy encodings to try, by source language, when the declared charset does not decode.
LANG_ENCODINGS: dict[str, tuple[str, ...]] = {
    "th": ("cp874",),  # TIS-620 / windows-874
    "zh": ("gb18030", "big5"),
    "ja": ("shift_jis", "euc_jp"),
    "ko": ("euc_kr",),
    "vi": ("cp1258",),
    "ru": ("cp1251",),
    "km": (),
    "my": (),
}


def choose_encoding(body: bytes, *, header: str | None, meta: str | None, lang: str | None) -> str | None:
    """The first encoding that decodes ``body`` without error: UTF-8 when the body is valid
    UTF-8, else the header's charset, the document's own (``<meta>``), encodings usual for
    ``lang``, then windows-1252 (the web's default for unlabelled pages). None when none does."""
    candidates: list[str] = ["utf-8"]
    for label in (header, meta):
        enc = resolve_encoding(label) if label else None
        if enc:
            candidates.append(enc)
    candidates += LANG_ENCODINGS.get((lang or "").split("-")[0].lower(), ())
    candidates.append("cp1252")
    for enc in dict.fromkeys(candidates):
        try:
            body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        return enc
    return None


def _control_share(body: bytes) -> float:
    sample = body[:65536]
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


class HostileInputMiddleware:
    """Downloader middleware (after decompression): counts hostile responses and failures and
    repairs text decoding. Counters under ``lurewatch/hostile/``:

    ``timeout`` (each timed-out attempt), ``too_large`` (cancelled past ``DOWNLOAD_MAXSIZE``),
    ``large_response`` (past ``DOWNLOAD_WARNSIZE``), ``nul_bytes``, ``binary_body`` (over 10 %
    control bytes), ``charset_missing`` (no charset in header or document), ``charset_conflict``
    (header and ``<meta>`` disagree), ``charset_wrong`` (the declared charset does not decode
    the body; re-decoded with :func:`choose_encoding`), ``undecodable`` (nothing decodes it:
    left to Scrapy's lossy decoding and counted as a parse failure too).
    """

    BINARY_SHARE = 0.10

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.warnsize = crawler.settings.getint("DOWNLOAD_WARNSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostileInputMiddleware:
        return cls(crawler)

    def hostile(self, case: str, url: str, detail: str = "") -> None:
        _inc(self.stats, f"lurewatch/hostile/{case}")
        logger.info("hostile input (%s) at %s%s", case, url, f": {detail}" if detail else "")

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, (DownloadTimeoutError, TxTimeoutError, TimeoutError)):
            self.hostile("timeout", request.url)
        elif isinstance(exception, DownloadCancelledError) or type(exception).__name__ == "CancelledError":
            self.hostile("too_large", request.url, str(exception))

    def process_response(self, request: Request, response: Response) -> Response:
        body = response.body
        if self.warnsize and len(body) > self.warnsize:
            self.hostile("large_response", response.url, f"{len(body)} bytes")
        if not isinstance(response, TextResponse) or not body or _is_robots(response.url):
            return response
        if b"\x00" in body:
            self.hostile("nul_bytes", response.url)
        if _control_share(body) > self.BINARY_SHARE:
            self.hostile("binary_body", response.url)
        if read_bom(body)[0]:
            return response  # a byte-order mark decides, as in browsers
        header = http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode("latin-1"))
        meta = html_body_declared_encoding(body[:4096])
        if not header and not meta:
            self.hostile("charset_missing", response.url)
        elif header and meta and resolve_encoding(header) != resolve_encoding(meta):
            self.hostile("charset_conflict", response.url, f"header {header}, document {meta}")
        spider = self.crawler.spider
        lang = getattr(getattr(spider, "args", None), "lang", None)
        chosen = choose_encoding(body, header=header, meta=meta, lang=lang)
        if chosen is None:
            self.hostile("undecodable", response.url)
            _inc(self.stats, "lurewatch/parse_failures")
            return response
        declared = header or meta
        if declared and resolve_encoding(declared) != chosen and not body.isascii():
            self.hostile("charset_wrong", response.url, f"declared {declared}, decoded as {chosen}")
        return response.replace(encoding=chosen)


class CountingHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware (which stops inflating at ``DOWNLOAD_MAXSIZE``),
    counting refused bodies as ``lurewatch/hostile/decompression_bomb``."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            _inc(self.stats, "lurewatch/hostile/decompression_bomb")
            raise


class ParseHealthMiddleware:
    """Spider middleware: per response that reaches a callback, counts ``lurewatch/parsed_pages``
    and either ``lurewatch/pages_with_items`` or, when the callback yielded neither items nor
    requests, ``lurewatch/empty_pages``; a callback that raises counts ``lurewatch/callback_errors``
    and ``lurewatch/parse_failures`` (Scrapy still logs it with its traceback). Error responses
    that reach a callback are not judged. Spiders count their own ``lurewatch/parse_failures``
    (``SourceSpider.skip``); the monitors judge pages by this middleware's counts, which do not
    depend on the spider's cooperation."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParseHealthMiddleware:
        return cls(crawler.stats)

    def _judge(self, response: Response, items: int, requests: int) -> None:
        if response.status >= 400:
            return
        _inc(self.stats, "lurewatch/parsed_pages")
        if items:
            _inc(self.stats, "lurewatch/pages_with_items")
        elif not requests:
            _inc(self.stats, "lurewatch/empty_pages")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        items = requests = 0
        for obj in result:
            if isinstance(obj, Request):
                requests += 1
            else:
                items += 1
            yield obj
        self._judge(response, items, requests)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        items = requests = 0
        async for obj in result:
            if isinstance(obj, Request):
                requests += 1
            else:
                items += 1
            yield obj
        self._judge(response, items, requests)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        _inc(self.stats, "lurewatch/callback_errors")
        _inc(self.stats, "lurewatch/parse_failures")
        logger.warning("parse failure on %s: %s: %s", response.url, type(exception).__name__, exception)
