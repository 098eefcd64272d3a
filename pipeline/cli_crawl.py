"""Crawl commands of ``lurewatch``: crawl, run, prune, demo (wired in pipeline/cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from pipeline.cli_render import print_summary
from pipeline.crawl import CrawlError
from pipeline.register import KIND_NAMES
from pipeline.settings import Settings

console = Console(stderr=True)


class CrawlUsageError(CrawlError):
    """A crawl command was given arguments it cannot use; the message says which."""


def date_arg(value: str) -> str:
    """argparse type of a day, ``YYYY-MM-DD``."""
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-28") from exc
    return value


def yesterday() -> str:
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()


def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crawl import adhoc_source, crawl_adhoc, crawl_source, enabled_sources, find_source

    if args.kind or args.url or args.output:
        if not (args.kind and args.url and args.output):
            raise CrawlUsageError("the ad-hoc form needs --kind, --url and -o/--output together")
        try:
            selectors = json.loads(args.selectors) if args.selectors else None
        except json.JSONDecodeError as exc:
            raise CrawlUsageError(f"--selectors is not JSON: {exc}") from exc
        source = adhoc_source(args.kind, args.url, source_id=args.source_name,
                              allow_private=args.allow_private, max_pages=args.max_pages,
                              selectors=selectors)
        with console.status(f"crawling {', '.join(args.url)} …"):
            result = crawl_adhoc(source, args.output, args.date or yesterday(), settings)
        console.print(f"[green]{result.items}[/] records from {result.pages} pages → {args.output}")
        return 0
    sources = [find_source(settings, s) for s in args.source] if args.source else enabled_sources(settings)
    if not sources:
        raise CrawlUsageError(f"no enabled sources in {settings.sources_file}")
    for source in sources:
        with console.status(f"crawling {source.id} …"):
            result = crawl_source(source, args.date or yesterday(), settings)
        console.print(f"{source.id}: [green]{result.items}[/] records, {result.pages} pages, "
                      f"{result.errors} errors → {result.out}")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crawl import CrawlError, crawl_source, enabled_sources
    from pipeline.run import process_partition

    failed = []
    crawled: list[str] | None = None  # --no-crawl: every source's files of the day
    if not args.no_crawl:
        crawled = []
        for source in enabled_sources(settings):
            with console.status(f"crawling {source.id} for {args.date} …"):
                try:
                    result = crawl_source(source, args.date, settings)
                except CrawlError as exc:
                    failed.append(source.id)
                    console.print(f"[red]crawl failed[/]: {exc}")
                    continue
            crawled.append(source.id)
            console.print(f"crawled {source.id}: {result.items} posts, {result.written} new or changed, "
                          f"{result.removed} removed")
    with console.status(f"processing {args.date} (normalize → extract → indicators → score → index) …"):
        process_partition(args.date, settings, sources=crawled)
    print_summary(settings, args.date)
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quickstart import run_demo

    date = args.date or yesterday()
    console.print(f"[bold]LureWatch demo[/]: the crawl DAGs and process_raw for {date} on the bundled "
                  f"demo sources; data in {settings.data_dir}")
    with console.status("starting …") as status:
        log = run_demo(settings, date, status, port=args.port)
    console.print(f"Airflow log: {log}")
    return 0 if print_summary(settings, date) else 1


def cmd_prune(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.retention import prune

    today = dt.date.fromisoformat(args.today) if args.today else dt.datetime.now(dt.UTC).date()
    report = prune(settings, today, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for path in report.deleted:
        console.print(f"{verb} {path}")
    console.print(f"{verb} {len(report.deleted)} partitions and WARC folders, "
                  f"{report.bytes / 1e6:.1f} MB")
    for sid in report.unknown_sources:
        console.print(f"[yellow]kept[/] {sid}: not in the register, so it has no retention; "
                      "add it back or delete its folders by hand")
    return 0


def add_crawl_and_run(sub: Any) -> None:
    """Add ``crawl`` and ``run`` to the ``lurewatch`` subparsers."""
    p = sub.add_parser("crawl", help="crawl register sources, or one URL ad hoc",
                       description="Crawl sources from the register into "
                       "<data>/raw/<source>/<date>.jsonl, or one URL ad hoc with --kind/--url/-o.")
    p.add_argument("source", nargs="*", help="register source ids (default: all enabled)")
    p.add_argument("--date", type=date_arg, default=None, help="partition (default: yesterday, UTC)")
    p.add_argument("--kind", choices=sorted(KIND_NAMES), help="ad hoc: spider kind")
    p.add_argument("--url", action="append", help="ad hoc: start URL (repeatable)")
    p.add_argument("-o", "--output", type=Path, help="ad hoc: JSON-lines output file")
    p.add_argument("--source-name", default="adhoc", help="ad hoc: source id to record")
    p.add_argument("--max-pages", type=int, help="ad hoc: listing/preview pages to follow")
    p.add_argument("--selectors", help="ad hoc, listing kind: JSON selectors, e.g. "
                   '\'{"item_links": "a.ad::attr(href)", "title": "h1::text", "text": "div.body"}\'')
    p.add_argument("--allow-private", action="store_true",
                   help="ad hoc: allow loopback/private addresses (local test sites)")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("run", help="the whole day without Airflow: crawl, process, index",
                       description="Crawl every enabled source for --date, then normalize, "
                       "extract, find indicators, score and index what those crawls wrote into the store.")
    p.add_argument("--date", type=date_arg, required=True, help="the day to run, YYYY-MM-DD")
    p.add_argument("--no-crawl", action="store_true",
                   help="process the day's already captured partitions of every source only")
    p.set_defaults(func=cmd_run)


def add_prune_and_demo(sub: Any) -> None:
    """Add ``prune`` and ``demo`` to the ``lurewatch`` subparsers."""
    p = sub.add_parser("prune", help="delete raw captures past each source's retention_days",
                       description="Delete raw partitions and WARC evidence of days older than each "
                       "register source's retention_days. The store is not touched.")
    p.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    p.add_argument("--today", type=date_arg, help="reference day (default: today, UTC)")
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("demo", help="run the DAGs on the bundled demo sources",
                       description="Serve the bundled demo sources on 127.0.0.1, run each source's "
                       "crawl DAG and then process_raw with `airflow dags test` for one date into the "
                       "embedded store, and print what was flagged.")
    p.add_argument("--date", type=date_arg, help="the day to run (default: yesterday, UTC)")
    p.add_argument("--port", type=int, default=8765,
                   help="127.0.0.1 port for the demo sources (default 8765; keep it the same "
                   "between runs so ids stay the same)")
    p.set_defaults(func=cmd_demo)
