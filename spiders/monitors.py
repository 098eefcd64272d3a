"""Crawl health: per-run statistics of one source and Spidermon-style monitors that fail the run.

:class:`FieldCoverage` (an extension, ``EXTENSIONS``) counts, for every scraped record, which
key fields are non-empty (``lurewatch/fields/<name>``). After the crawl, :func:`health` turns
the final stats into a :class:`Health` and :func:`evaluate` checks it against
:class:`Thresholds` (Scrapy settings ``LUREWATCH_MONITOR_*``, defaults in ``spiders/settings.py``,
environment overrides read by ``pipeline/settings.py``). A run with any failed monitor exits
non-zero and lists each reason in its summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from pipeline.settings import COVERAGE_FIELDS

#: Fields whose coverage (share of records where they are non-empty) is reported.
KEY_FIELDS = COVERAGE_FIELDS


class FieldCoverage:
    """Extension: ``lurewatch/fields/<name>`` += 1 for each scraped record whose ``name`` is
    non-empty, for every name in :data:`KEY_FIELDS`."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldCoverage:
        ext = cls(crawler.stats)  # type: ignore[arg-type]
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        for name in KEY_FIELDS:
            value = adapter.get(name)
            if value not in (None, "", [], {}):
                self.stats.inc_value(f"lurewatch/fields/{name}")


def parse_coverage(raw: str | dict[str, Any] | None) -> dict[str, float]:
    """``"text=0.8,url=1"`` (or a dict) → ``{"text": 0.8, "url": 1.0}``; raises ValueError
    naming the bad entry (unknown field, not a number, outside 0..1)."""
    if not raw:
        return {}
    pairs = raw.items() if isinstance(raw, dict) else (p.split("=", 1) for p in raw.split(",") if p.strip())
    out: dict[str, float] = {}
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"coverage entry {'='.join(pair)!r}: use FIELD=SHARE, e.g. text=0.8")
        name, value = str(pair[0]).strip(), pair[1]
        if name not in KEY_FIELDS:
            raise ValueError(f"coverage field {name!r}: use one of {', '.join(KEY_FIELDS)}")
        try:
            share = float(value)
        except ValueError:
            share = -1.0
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"coverage {name}={value}: a share between 0 and 1")
        out[name] = share
    return out


@dataclass(frozen=True)
class Thresholds:
    """When a run fails. Rates are shares 0..1; ``min_coverage`` maps field → minimum share."""

    min_items: int = 1
    max_error_rate: float = 0.25
    max_empty_page_rate: float = 0.5
    min_coverage: dict[str, float] = field(default_factory=lambda: {"text": 0.8, "url": 1.0})

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Thresholds:
        raw = settings.get("LUREWATCH_MONITOR_MIN_COVERAGE")
        return cls(
            min_items=settings.getint("LUREWATCH_MONITOR_MIN_ITEMS", 1),
            max_error_rate=settings.getfloat("LUREWATCH_MONITOR_MAX_ERROR_RATE", 0.25),
            max_empty_page_rate=settings.getfloat("LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE", 0.5),
            min_coverage=parse_coverage(raw.copy_to_dict() if isinstance(raw, BaseSettings) else raw),
        )


@dataclass(frozen=True)
class Health:
    """One run's statistics for one source (from Scrapy's final stats)."""

    pages: int
    parsed_pages: int
    items: int
    errors: int
    parse_failures: int
    callback_errors: int
    empty_pages: int
    dropped: int
    coverage: dict[str, float | None]
    hostile: dict[str, int]
    ssrf_blocked: int

    @property
    def error_rate(self) -> float:
        """Failed requests (after retries) ÷ (pages parsed + failed requests)."""
        attempts = self.pages + self.errors
        return self.errors / attempts if attempts else 0.0

    @property
    def empty_page_rate(self) -> float:
        """Pages fetched OK whose parser found nothing or raised ÷ pages fetched OK."""
        if not self.parsed_pages:
            return 0.0
        return min(1.0, self.failed_pages / self.parsed_pages)

    @property
    def failed_pages(self) -> int:
        """Pages fetched OK on which the parser yielded nothing or raised."""
        return self.empty_pages + self.callback_errors

    def to_dict(self) -> dict[str, Any]:
        rates = {"error_rate": round(self.error_rate, 4), "empty_page_rate": round(self.empty_page_rate, 4)}
        return {**asdict(self), **rates}


def health(stats: dict[str, Any]) -> Health:
    """The :class:`Health` of a run from its final Scrapy stats."""

    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    items = n("item_scraped_count")
    return Health(
        pages=n("lurewatch/pages"),
        parsed_pages=n("lurewatch/parsed_pages"),
        items=items,
        errors=n("lurewatch/request_errors"),
        parse_failures=n("lurewatch/parse_failures"),
        callback_errors=n("lurewatch/callback_errors"),
        empty_pages=n("lurewatch/empty_pages"),
        dropped=n("item_dropped_count"),
        coverage={f: (round(n(f"lurewatch/fields/{f}") / items, 4) if items else None) for f in KEY_FIELDS},
        hostile={k.removeprefix("lurewatch/hostile/"): int(v) for k, v in sorted(stats.items())
                 if k.startswith("lurewatch/hostile/")},
        ssrf_blocked=n("lurewatch/ssrf_blocked") + n("lurewatch/ssrf_blocked_at_connect"),
    )


@dataclass(frozen=True)
class Problem:
    """A failed monitor: its name and a reason an operator can act on."""

    monitor: str
    reason: str

    def __str__(self) -> str:
        return f"{self.monitor}: {self.reason}"


def evaluate(h: Health, t: Thresholds) -> list[Problem]:
    """Every monitor that fails for ``h`` under ``t`` (empty list: healthy)."""
    problems: list[Problem] = []
    if h.items == 0:
        if h.failed_pages or h.parse_failures:
            problems.append(Problem(
                "parser", f"parser stopped matching: {h.failed_pages} of {h.parsed_pages} pages fetched OK "
                          f"had nothing the parser recognises ({h.parse_failures} parse failures); zero items"))
        else:
            problems.append(Problem(
                "item_count", f"zero items ({h.parsed_pages} pages parsed, {h.errors} failed requests)"))
    elif h.items < t.min_items:
        problems.append(Problem("item_count", f"{h.items} items, below the minimum of {t.min_items} "
                                              "(LUREWATCH_MONITOR_MIN_ITEMS)"))
    if h.error_rate > t.max_error_rate:
        problems.append(Problem(
            "error_rate", f"error rate {h.error_rate:.0%} ({h.errors} failed requests) above "
                          f"{t.max_error_rate:.0%} (LUREWATCH_MONITOR_MAX_ERROR_RATE)"))
    if h.items and h.empty_page_rate > t.max_empty_page_rate:
        problems.append(Problem(
            "parser", f"parser stopped matching on {h.empty_page_rate:.0%} of pages "
                      f"({h.empty_pages} with nothing found, {h.callback_errors} parser errors, of "
                      f"{h.parsed_pages}) above {t.max_empty_page_rate:.0%} (LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE)"))
    if h.items:
        for name, minimum in sorted(t.min_coverage.items()):
            share = h.coverage.get(name) or 0.0
            if share < minimum:
                problems.append(Problem(
                    "field_coverage", f"field {name!r} filled in {share:.0%} of records, below "
                                      f"{minimum:.0%} (LUREWATCH_MONITOR_MIN_COVERAGE)"))
    return problems
