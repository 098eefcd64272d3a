"""The incremental-crawl spider middleware: drops unchanged records, finds removed posts,
re-checks detail pages no crawl path reached, and on a clean finish writes the partition's
removals file and state. The rule it applies (compare only with earlier partitions) and the
state file are described in :mod:`spiders.state`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.records import Record, canonical_url
from spiders.base import START
from spiders.capture import fetched_at
from spiders.pipelines import record_unchanged
from spiders.state import CrawlState, Earlier, Observation, Removal, removals_path, write_atomic
from spiders.warc import WARC_META

logger = logging.getLogger(__name__)

DEFAULT_RECHECK_LIMIT = 50
GONE_STATUSES = (404, 410)
#: request.meta key marking a re-check request.
RECHECK = "lurewatch_recheck"


def _urls_of(response: Response) -> set[str]:
    urls = {response.url}
    try:
        urls.update(response.meta.get("redirect_urls") or ())
        urls.add(response.request.url)  # type: ignore[union-attr]
    except AttributeError:  # response without a request
        pass
    return {canonical_url(u) for u in urls}


class IncrementalMiddleware(BaseSpiderMiddleware):
    """Spider middleware (priority 40, before ``HttpErrorMiddleware`` so it sees 404/410
    responses): drops unchanged records, detects removals, re-checks unlinked detail URLs,
    and on a clean finish writes the removals file and this partition's state.

    Not configured when ``LUREWATCH_STATE_DIR`` is unset. Stats: ``lurewatch/unchanged``,
    ``lurewatch/removed``, ``lurewatch/rechecked``, ``lurewatch/recheck_failed``.
    """

    def __init__(self, state_dir: Path, *, recheck_limit: int = DEFAULT_RECHECK_LIMIT,
                 output: Path | None = None, crawler: Crawler | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.recheck_limit = recheck_limit
        self.output = output
        self.crawler = crawler  # type: ignore[assignment]
        self.state: CrawlState | None = None
        self.earlier = Earlier()
        self.observed: dict[str, Observation] = {}
        self.reached: set[str] = set()
        self.removals: dict[str, Removal] = {}
        self.pages: list[tuple[str, set[int], Response]] = []
        self._rechecks_sent = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        state_dir = crawler.settings.get("LUREWATCH_STATE_DIR")
        if not state_dir:
            raise NotConfigured("incremental crawling off: set LUREWATCH_STATE_DIR")
        out = crawler.settings.get("LUREWATCH_OUTPUT")
        mw = cls(Path(state_dir),
                 recheck_limit=crawler.settings.getint("LUREWATCH_RECHECK_LIMIT",
                                                       DEFAULT_RECHECK_LIMIT),
                 output=Path(out) if out else None, crawler=crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # -- signals -------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        args = spider.args  # type: ignore[attr-defined]
        self.source_id, self.partition = args.source_id, args.partition
        self.state = CrawlState(self.state_dir / f"{self.source_id}.sqlite3").open()
        self.earlier = self.state.earlier(self.partition)

    def spider_idle(self, spider: Spider) -> None:
        """Once per crawl: re-check live detail URLs this crawl did not reach."""
        if self._rechecks_sent or self.crawler is None or self.crawler.engine is None:
            return
        self._rechecks_sent = True
        seen = self.reached | {o.canonical_url for o in self.observed.values()}
        todo = [o for o in self.earlier.detail_urls() if o.canonical_url not in seen]
        for obs in todo[: self.recheck_limit]:
            name = obs.callback or "parse"
            callback = getattr(spider, name, None) if not name.startswith("_") else None
            if not callable(callback):
                callback = spider.parse
            self.crawler.engine.crawl(Request(
                obs.url, callback=callback, errback=self._recheck_failed,
                meta={RECHECK: True, START: obs.url},
            ))
            self._inc("lurewatch/rechecked")
        if todo[: self.recheck_limit]:
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.state is None:
            return
        try:
            if reason != "finished":
                logger.warning("crawl ended (%s): state and removals of %s left unchanged",
                               reason, self.partition)
                return
            self._gone_from_listings()
            removals = sorted(self.removals.values(), key=lambda r: r.canonical_url)
            if self.output is not None:
                write_atomic(removals_path(self.output), [r.to_json() for r in removals])
            self.state.replace_partition(self.partition, list(self.observed.values()), removals)
        finally:
            self.state.close()

    # -- spider middleware ---------------------------------------------------------------

    def process_spider_input(self, response: Response) -> None:
        urls = _urls_of(response)
        self.reached |= urls
        if response.status not in GONE_STATUSES:
            return
        for url in sorted(urls):
            obs = self.earlier.latest.get(url)
            if obs and obs[0].detail and url not in self.removals:
                self._remove(obs[0], response, f"http {response.status}")

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not isinstance(item, Record) or response is None:
            return item
        obs = self._observe(item, response)
        if obs.seq_key is not None and obs.seq_no is not None:
            self._listing(obs.seq_key, response).add(obs.seq_no)
        if item.id in self.earlier.live_ids and self.crawler is not None:
            self._inc("lurewatch/unchanged")
            self.crawler.signals.send_catch_log(record_unchanged, record=item)
        return item

    # -- helpers -------------------------------------------------------------------------

    def _observe(self, record: Record, response: Response) -> Observation:
        spider = self.crawler.spider if self.crawler is not None else None
        position = getattr(spider, "sequence_position", None)
        seq = position(record) if callable(position) else None
        request = getattr(response, "request", None)
        cb = getattr(request, "callback", None) if request is not None else None
        obs = Observation(
            record_id=record.id, canonical_url=record.canonical_url, url=record.url,
            content_sha256=record.content_sha256, fetched_at=record.fetched_at,
            http_status=record.http_status,
            detail=record.canonical_url in _urls_of(response),
            callback=getattr(cb, "__name__", None) or "parse",
            seq_key=seq[0] if seq else None, seq_no=seq[1] if seq else None,
        )
        self.observed[record.id] = obs
        return obs

    def _listing(self, key: str, response: Response) -> set[int]:
        for k, numbers, page in self.pages:
            if k == key and page is response:
                return numbers
        numbers: set[int] = set()
        self.pages.append((key, numbers, response))
        return numbers

    def _gone_from_listings(self) -> None:
        listed: dict[str, set[int]] = {}
        for key, numbers, _ in self.pages:
            listed.setdefault(key, set()).update(numbers)
        for key, numbers, page in self.pages:
            if len(numbers) < 2:
                continue
            lo, hi = min(numbers), max(numbers)
            for no, obs in sorted(self.earlier.sequence(key).items()):
                if lo < no < hi and no not in listed[key] and obs.canonical_url not in self.removals:
                    self._remove(obs, page, "gone from channel")

    def _remove(self, obs: Observation, response: Response, reason: str) -> None:
        try:
            capture = response.meta.get(WARC_META) or {}
        except AttributeError:
            capture = {}
        self.removals[obs.canonical_url] = Removal(
            source_id=self.source_id, partition=self.partition,
            canonical_url=obs.canonical_url, url=obs.url, removed_at=fetched_at(response),
            reason=reason, id=obs.record_id,
            http_status=response.status if response.status in GONE_STATUSES else None,
            evidence_url=response.url, warc_file=capture.get("warc_file"),
            warc_record_id=capture.get("record_id"),
        )
        self._inc("lurewatch/removed")
        logger.info("removed: %s (%s)", obs.url, reason)

    def _recheck_failed(self, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        if failure.check(HttpError) and response is not None and response.status in GONE_STATUSES:
            return  # recorded by process_spider_input
        self._inc("lurewatch/recheck_failed")
        request = getattr(failure, "request", None)
        logger.warning("re-check failed: %s: %s", getattr(request, "url", "?"),
                       failure.getErrorMessage())

    def _inc(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
