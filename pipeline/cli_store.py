"""Store commands of ``lurewatch``: index, search, pivot, triage (wired in pipeline/cli.py)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.records import TRIAGE_STATUSES, Record, RecordError
from pipeline.settings import Settings
from pipeline.store.base import FILTER_FIELDS, RANGE_FILTERS, ConflictError, Store, StoreError, UpsertResult
from pipeline.store.query import SORT_FIELDS

console = Console(stderr=True)
out = Console(soft_wrap=True)
BATCH = 500


class StoreUsageError(StoreError):
    """A store command was given arguments it cannot use; the message says which."""


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def _open(settings: Settings) -> Store:
    from pipeline.store import open_store

    return open_store(settings)


# ---------------------------------------------------------------- index


def read_records(path: Path) -> Iterator[Record]:
    """Records from a JSON-lines file; raises StoreUsageError naming the bad line."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield Record.from_dict(json.loads(line))
            except (json.JSONDecodeError, RecordError, TypeError) as exc:
                raise StoreUsageError(f"{path}:{n}: not a valid record: {exc}") from exc


def upsert_with_progress(store: Store, records: Iterable[Record], total: int | None,
                         label: str) -> UpsertResult:
    totals = UpsertResult()
    it = iter(records)
    with _progress() as bar:
        task = bar.add_task(label, total=total)
        while batch := list(islice(it, BATCH)):
            result = store.upsert(batch)
            totals.created += result.created
            totals.updated += result.updated
            bar.advance(task, len(batch))
    return totals


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    store = _open(settings)
    try:
        if args.rollover:
            if not hasattr(store, "rollover"):
                raise StoreUsageError("--rollover needs the Elasticsearch store (set LUREWATCH_ES_URL)")
            new = store.rollover(force=args.force)
            console.print(f"rolled over to [green]{new}[/]" if new else
                          "no rollover: no threshold reached (use --force to roll over anyway)")
        if args.replay:
            if not hasattr(store, "replay"):
                raise StoreUsageError("--replay needs the Elasticsearch store (set LUREWATCH_ES_URL); "
                                      "the SQLite store writes in one transaction and has no dead letter")
            with _progress() as bar:
                task = bar.add_task("replaying dead letter", total=None)
                result = store.replay(lambda done, total: bar.update(task, completed=done, total=total))
            console.print(f"replayed {result.sent} records from {result.path}")
            if result.failed:
                raise StoreError(f"{result.failed} records failed again and stay in {result.path}; "
                                 "see the reason on each line, fix it and run `lurewatch index --replay` again")
        if args.input or args.date:
            if args.input:
                path = Path(args.input)
                total = sum(1 for line in path.open(encoding="utf-8") if line.strip())
                result = upsert_with_progress(store, read_records(path), total, f"indexing {path.name}")
            else:
                from pipeline.run import ProcessSummary, enrich, read_partition, read_removals

                summary = ProcessSummary(args.date)
                files = sorted(settings.raw_dir.glob(f"*/{args.date}.jsonl"))
                total = sum(1 for f in files for line in f.open(encoding="utf-8") if line.strip())
                records = enrich(read_partition(settings, args.date, summary), settings)
                result = upsert_with_progress(store, records, total, f"indexing {args.date}")
                removed = store.mark_removed(read_removals(settings, args.date, summary))
                console.print(f"{removed} records marked removed")
            console.print(f"[green]{result.created}[/] new, {result.updated} updated")
        elif not (args.replay or args.rollover):
            raise StoreUsageError("give a JSON-lines file, --date, --replay or --rollover")
    finally:
        store.close()
    return 0


# ---------------------------------------------------------------- search


def _value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    if text.isdigit() and len(text) == 1:  # triage.label 0/1
        return int(text)
    return text


def parse_filters(items: list[str] | None) -> dict[str, Any]:
    """``["source_id=a", "source_id=b", "score_gte=0.8"]`` → {"source_id": ["a", "b"], ...}."""
    filters: dict[str, Any] = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        if not sep:
            raise StoreUsageError(f"--filter {item!r}: use FIELD=VALUE")
        if name in RANGE_FILTERS:
            filters[name] = raw
        elif name in FILTER_FIELDS:
            filters.setdefault(name, []).append(_value(raw))
        else:
            raise StoreUsageError(f"--filter {name!r}: use one of {', '.join(FILTER_FIELDS + tuple(RANGE_FILTERS))}")
    return filters


def _print_hits(result: Any, as_json: bool, title: str) -> None:
    if as_json:
        for h in result.hits:
            print(json.dumps({"record": h.record.to_dict(), "highlight": h.highlight}, ensure_ascii=False))
        if result.facets:
            print(json.dumps({"total": result.total, "facets": result.facets}, ensure_ascii=False))
        return
    out.print(f"[bold]{escape(title)}[/]: {result.total} match(es)")
    for n, h in enumerate(result.hits, 1):
        r = h.record
        score = f"{r.score:.2f}" if r.score is not None else "  - "
        first = r.title or (r.text.strip().splitlines() or [r.url])[0]
        out.print(f"{n:>3}. [bold red]{score}[/]  [cyan]{escape(r.source_id)}[/]  {escape(first[:100])}  "
                  f"[dim]{r.id} · {r.triage.status}[/]")
        for frag in h.highlight[:2]:
            out.print("     … " + escape(frag).replace("&lt;mark&gt;", "[reverse]").replace(
                "&lt;/mark&gt;", "[/reverse]") + " …")
    for name, buckets in result.facets.items():
        out.print(f"[bold]{name}[/]: " + escape(", ".join(f"{k} ({n})" for k, n in buckets.items())))


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    filters = parse_filters(args.filter)
    for name in args.facet or []:
        if name not in FILTER_FIELDS:
            raise StoreUsageError(f"--facet {name!r}: use one of {', '.join(FILTER_FIELDS)}")
    store = _open(settings)
    try:
        result = store.search(args.query or None, filters=filters, facets=args.facet or [],
                              sort=args.sort, size=args.limit, offset=args.offset)
    finally:
        store.close()
    _print_hits(result, args.json, f"search {args.query!r}" if args.query else "all records")
    return 0


def cmd_pivot(args: argparse.Namespace, settings: Settings) -> int:
    store = _open(settings)
    try:
        result = store.pivot(args.value, args.type, size=args.limit)
    finally:
        store.close()
    _print_hits(result, args.json, f"posts sharing {args.value}")
    return 0


# ---------------------------------------------------------------- triage


def cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    store = _open(settings)
    try:
        current = store.get(args.id)
        changes: dict[str, Any] = {}
        for name in ("status", "assignee", "note"):
            if getattr(args, name) is not None:
                changes[name] = getattr(args, name)
        if args.label is not None:
            changes["label"] = None if args.label == "none" else int(args.label)
        if args.tag or args.untag:
            changes["tags"] = sorted((set(current.triage.tags) | set(args.tag or [])) - set(args.untag or []))
        if not changes:
            raise StoreUsageError("nothing to change: give --status, --assignee, --tag, --untag, --note or --label")
        expected = current.triage.version if args.expected_version is None else args.expected_version
        try:
            record = store.update_triage(args.id, changes, expected_version=expected, actor=args.actor)
        except ConflictError as exc:
            console.print(f"[red]conflict:[/] {exc}. Nothing was changed. Look at the record again "
                          f"(`lurewatch search --filter triage.status=...` or the audit trail) and repeat "
                          "the command if your change still applies.")
            return 3
    finally:
        store.close()
    t = record.triage
    console.print(f"{record.id}: status [bold]{t.status}[/], assignee {t.assignee or '-'}, label "
                  f"{t.label if t.label is not None else '-'}, tags {', '.join(t.tags) or '-'} "
                  f"(version {t.version}, by {t.updated_by})")
    return 0


# ---------------------------------------------------------------- parser


def add_commands(sub: Any) -> None:
    """Add ``index``, ``search``, ``pivot`` and ``triage`` to the ``lurewatch`` subparsers."""
    p = sub.add_parser("index", help="index records into the store; replay the dead letter; roll over",
                       description="Index records into the configured store: a JSON-lines file of "
                       "records, or a partition's captures run through the stages (--date). --replay "
                       "sends the Elasticsearch dead-letter file (<data>/deadletter/<index>.jsonl) again; "
                       "--rollover rolls the write index over when a LUREWATCH_ES_ROLLOVER_* threshold "
                       "is reached.")
    p.add_argument("input", nargs="?", help="JSON-lines file of records")
    p.add_argument("--date", help="index this partition's captures (normalize → … → score → index)")
    p.add_argument("--replay", action="store_true", help="send the dead-letter file again")
    p.add_argument("--rollover", action="store_true", help="roll the write index over if due")
    p.add_argument("--force", action="store_true", help="with --rollover: roll over now")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="full-text search with filters and facets",
                       description="Search title and text (any text is safe: it is never parsed as "
                       "query syntax). Filters: FIELD=VALUE, repeat a field for OR; fields "
                       f"{', '.join(FILTER_FIELDS)}; ranges {', '.join(RANGE_FILTERS)}.")
    p.add_argument("query", nargs="?", default="", help="words to find (all must match)")
    p.add_argument("--filter", action="append", metavar="FIELD=VALUE", help="filter (repeatable)")
    p.add_argument("--facet", action="append", metavar="FIELD", help="count matches per value (repeatable)")
    p.add_argument("--sort", default="-score",
                   choices=[f"{d}{f}" for f in SORT_FIELDS for d in ("-", "")], help="default -score")
    p.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    p.add_argument("--offset", type=int, default=0, help="skip this many")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a list")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("pivot", help="every post sharing an identifier (phone, handle, …)",
                       description="Every post whose extracted identifiers include VALUE (as "
                       "extracted, e.g. +85512345678 or @handle), first seen first.")
    p.add_argument("value")
    p.add_argument("--type", help="only identifiers of this type (phone, telegram, …)")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pivot)

    p = sub.add_parser("triage", help="change a record's triage status, assignee, tags, note, label",
                       description="Change triage with optimistic concurrency: the change applies only "
                       "if nobody changed the record since it was read (or since --expected-version); "
                       "every change is kept in the audit log.")
    p.add_argument("id")
    p.add_argument("--status", choices=TRIAGE_STATUSES)
    p.add_argument("--assignee")
    p.add_argument("--tag", action="append", help="add a tag (repeatable)")
    p.add_argument("--untag", action="append", help="remove a tag (repeatable)")
    p.add_argument("--note")
    p.add_argument("--label", choices=["0", "1", "none"], help="1 = scam recruitment, 0 = not")
    p.add_argument("--actor", required=True, help="who makes the change (kept in the audit log)")
    p.add_argument("--expected-version", type=int, help="fail unless triage is at this version")
    p.set_defaults(func=cmd_triage)
