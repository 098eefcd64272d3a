"""Run one crawl: ``python -m spiders.run --kind KIND --source-id ID --url URL [--url URL…]
--partition YYYY-MM-DD --out PATH.jsonl [--max-pages N] [--lang LANG] [--stats-out PATH.json]
[--allow-private] [--concurrency N] [--set NAME=VALUE…] [--spider-arg NAME=VALUE…]
[--log-level LEVEL]``.

Writes the records to ``--out`` (atomically, see :class:`spiders.pipelines.JsonLinesRecordWriter`),
the crawl stats to ``--stats-out`` and a one-line summary to stderr. Exit status: 0 when the
crawl finished, every start URL yielded records and every crawl-health monitor passed
(:mod:`spiders.monitors`); 1 when not (the summary's ``problems`` say why); 2 for invalid
arguments. One crawl per process: Twisted's reactor cannot restart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from spiders.base import SpiderArgError, SpiderArgs
from spiders.kinds import KINDS
from spiders.monitors import Thresholds, evaluate, health

_COUNTER_PREFIXES = (
    "lurewatch/", "robotstxt/", "item_dropped", "offsite/", "retry/", *(f"{kind}/" for kind in KINDS)
)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m spiders.run", description="Run one LureWatch crawl."
    )
    ap.add_argument("--kind", required=True, choices=sorted(KINDS))
    ap.add_argument("--source-id", required=True)
    ap.add_argument("--url", action="append", required=True, help="start URL (repeatable)")
    ap.add_argument("--partition", required=True, help="YYYY-MM-DD the capture belongs to")
    ap.add_argument(
        "--out", required=True, type=Path, help="JSON-lines output (replaced atomically)"
    )
    ap.add_argument(
        "--max-pages", type=int, default=None, help="listing/preview pages per start URL"
    )
    ap.add_argument("--lang", default=None, help="language hint for the source (e.g. vi)")
    ap.add_argument("--stats-out", type=Path, default=None, help="write crawl stats here (JSON)")
    ap.add_argument(
        "--allow-private",
        action="store_true",
        help="allow loopback/private hosts (also LUREWATCH_ALLOW_PRIVATE=1)",
    )
    ap.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="requests in flight to this source at once (CONCURRENT_REQUESTS_PER_DOMAIN)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting (repeatable), e.g. DOWNLOAD_DELAY=0",
    )
    ap.add_argument("--spider-arg", action="append", default=[], metavar="NAME=VALUE",
                    help="a kind-specific spider argument (repeatable), e.g. selectors='{...}'")
    ap.add_argument("--log-level", default="INFO")
    return ap


def summarize(
    stats: dict[str, Any], start_urls: list[str], thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The run summary: counts, crawl health, failed monitors, and problems that make the run
    fail (``problems``) or that an operator should see (``warnings``)."""
    by_start = {u: int(stats.get(f"lurewatch/records_by_start/{u}", 0)) for u in start_urls}
    problems = []
    reason = stats.get("finish_reason")
    if reason != "finished":
        problems.append(f"crawl did not finish (finish_reason={reason!r})")
    problems += [f"no records from start URL {u}" for u, n in by_start.items() if n == 0]
    h = health(stats)
    failed = evaluate(h, thresholds or Thresholds())
    problems += [str(p) for p in failed]
    warnings = []
    if h.ssrf_blocked:
        warnings.append(f"{h.ssrf_blocked} requests to refused (private/metadata) addresses not made")
    warnings += [f"hostile input: {case} ×{n}" for case, n in h.hostile.items()]
    return {
        "ok": not problems,
        "problems": problems,
        "warnings": warnings,
        "monitors": [{"monitor": p.monitor, "reason": p.reason} for p in failed],
        "health": h.to_dict(),
        "items": int(stats.get("item_scraped_count", 0)),
        "pages": int(stats.get("lurewatch/pages", 0)),
        "errors": int(stats.get("log_count/ERROR", 0)),
        "dropped": int(stats.get("item_dropped_count", 0)),
        "elapsed": round(float(stats.get("elapsed_time_seconds", 0.0)), 3),
        "finish_reason": reason,
        "records_by_start_url": by_start,
        "counters": {
            k: v
            for k, v in sorted(stats.items())
            if k.startswith(_COUNTER_PREFIXES) and not k.startswith("lurewatch/records_by_start/")
        },
    }


def crawl(args: argparse.Namespace, spider_args: SpiderArgs) -> tuple[dict[str, Any], Thresholds]:
    """Run the crawl in this process; return Scrapy's final stats and the monitor thresholds."""
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    from pipeline.settings import Settings as LureSettings

    env = LureSettings.from_env()
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    for name, value in env.crawl.items():  # LUREWATCH_MONITOR_*, LUREWATCH_PAGE_CAP
        settings.set(name, value, priority="project")
    settings.set("USER_AGENT", env.user_agent, priority="cmdline")
    settings.set("LUREWATCH_OUTPUT", str(args.out.resolve()), priority="cmdline")
    settings.set(
        "LUREWATCH_ALLOW_PRIVATE", args.allow_private or env.allow_private, priority="cmdline"
    )
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    if args.concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", args.concurrency, priority="cmdline")
    for item in args.set:
        name, _, value = item.partition("=")
        settings.set(name.strip(), value, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(load_object(KINDS[args.kind]))
    process.crawl(
        crawler,
        source_id=spider_args.source_id,
        start_urls=list(spider_args.start_urls),
        partition=spider_args.partition,
        lang=spider_args.lang,
        max_pages=spider_args.max_pages,
        **dict(item.split("=", 1) for item in args.spider_arg),
    )
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    from spiders.ssrf import GuardedResolver  # the resolver has no stats of its own

    if GuardedResolver.refused:
        stats["lurewatch/ssrf_blocked_at_connect"] = GuardedResolver.refused
    return stats, Thresholds.from_settings(crawler.settings)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for flag, items in (("--set", args.set), ("--spider-arg", args.spider_arg)):
        for item in items:
            if "=" not in item:
                print(f"spiders.run: {flag} {item!r}: use NAME=VALUE", file=sys.stderr)
                return 2
    if args.concurrency is not None and args.concurrency < 1:
        print(f"spiders.run: --concurrency {args.concurrency}: use 1 or more", file=sys.stderr)
        return 2
    try:
        spider_args = SpiderArgs.parse(
            source_id=args.source_id,
            start_urls=args.url,
            partition=args.partition,
            lang=args.lang,
            max_pages=args.max_pages,
        )
        # Kind-specific arguments (e.g. listing selectors) are validated by the spider's
        # constructor, which does no I/O: build it once here so a bad one exits 2.
        from scrapy.utils.misc import load_object

        load_object(KINDS[args.kind])(
            source_id=spider_args.source_id, start_urls=list(spider_args.start_urls),
            partition=spider_args.partition, lang=spider_args.lang, max_pages=spider_args.max_pages,
            **dict(item.split("=", 1) for item in args.spider_arg),
        )
    except SpiderArgError as exc:
        print(f"spiders.run: {exc}", file=sys.stderr)
        return 2
    # Scrapy and its dependencies write nothing to ~: point XDG state/cache at a temp dir.
    with tempfile.TemporaryDirectory(prefix="lurewatch-scrapy-") as state:
        os.environ["XDG_STATE_HOME"] = os.environ["XDG_CACHE_HOME"] = state
        stats, thresholds = crawl(args, spider_args)
    summary = summarize(stats, list(spider_args.start_urls), thresholds)
    summary.update(
        kind=args.kind,
        source_id=spider_args.source_id,
        partition=spider_args.partition,
        out=str(args.out),
    )
    if args.stats_out:
        args.stats_out.parent.mkdir(parents=True, exist_ok=True)
        args.stats_out.write_text(json.dumps(summary, indent=2, default=str) + "\n", "utf-8")
    line = (
        f"spiders.run: {args.kind} {spider_args.source_id} {spider_args.partition}: "
        f"{summary['items']} records ({summary['dropped']} dropped) from {summary['pages']} pages, "
        f"{summary['errors']} errors, {summary['elapsed']}s"
    )
    if summary["warnings"]:
        line += f" (warnings: {'; '.join(summary['warnings'])})"
    if summary["ok"]:
        print(f"{line} -> {args.out}", file=sys.stderr)
        return 0
    print(f"{line}; FAILED: {'; '.join(summary['problems'])}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
