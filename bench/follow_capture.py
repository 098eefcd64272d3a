"""The LureWatch side of bench/crawl_rate.py: follow every link on Scrapy's bench server for
N seconds with the project's Scrapy settings, one record per page. Prints final stats as JSON.

    python bench/follow_capture.py SECONDS WORKDIR
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor

from spiders.base import SourceSpider
from spiders.capture import make_record


class FollowAllCapture(SourceSpider):
    name = "bench_follow"
    source_kind = "bench"
    link_extractor = LinkExtractor()

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.inc("lurewatch/pages")
        text = " ".join(t.strip() for t in response.css("body ::text").getall() if t.strip())
        yield from self.counted(response, [make_record(self.ctx, response, url=response.url, text=text or "-")])
        for link in self.link_extractor.extract_links(response):
            yield self.follow(response, link.url, self.parse)


def main(seconds: int, workdir: Path) -> dict[str, Any]:
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import Settings

    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    overrides = {
        "LUREWATCH_OUTPUT": str(workdir / "records.jsonl"),
        "LUREWATCH_ALLOW_PRIVATE": True,  # the bench server is on localhost
        "LUREWATCH_WARC_DIR": str(workdir / "warc"),
        "LUREWATCH_STATE_DIR": str(workdir / "state"),
        "CLOSESPIDER_TIMEOUT": seconds,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "LOG_LEVEL": "ERROR",
        "LUREWATCH_PAGE_CAP": 0,  # the bench follows links without end on purpose
    }
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    for item in os.environ.get("LUREWATCH_BENCH_DISABLE", "").split(","):  # ablation: component=None
        if item:
            kind, _, path = item.partition(":")
            settings.set(kind, {**settings.getdict(kind), path: None}, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(FollowAllCapture)
    process.crawl(crawler, source_id="bench", start_urls=["http://localhost:8998/?total=100000&show=20"],
                  partition="2026-01-01", max_pages=1000000)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    stats["warc_bytes"] = sum(p.stat().st_size for p in (workdir / "warc").rglob("*") if p.is_file())
    return stats


if __name__ == "__main__":
    out = main(int(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({k: v for k, v in out.items() if isinstance(v, int | float | str)}, default=str))
