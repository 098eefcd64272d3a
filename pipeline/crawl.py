"""Crawl sources by running ``python -m spiders.run`` in a subprocess (one crawl per
process: Twisted's reactor cannot restart). Captures land in
``<data_dir>/raw/<source>/<partition>.jsonl``, replaced atomically, so re-crawling a day
replaces that day's partition instead of appending to it.

One crawl of a source at a time, whoever starts it (an Airflow task, ``lurewatch crawl``,
``lurewatch run``): each crawl holds an exclusive ``flock`` on ``<data>/state/<source>.lock``
and writes who it is into it; a second crawl is refused at once with :class:`SourceBusy`
naming the source and that holder. The lock belongs to the open file, which the spider
subprocess inherits, so it lasts as long as the crawl and dies with it (no stale locks).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.register import RegisterError, Source, load_register, parse_register
from pipeline.settings import Settings


class CrawlError(RuntimeError):
    """A crawl failed; the message names the source and the reason."""


class SourceBusy(CrawlError):
    """Another crawl of the same source holds its lock; the message names both."""


@dataclass
class CrawlResult:
    source_id: str
    partition: str
    out: Path
    items: int = 0
    written: int = 0
    removed: int = 0
    pages: int = 0
    errors: int = 0
    dropped: int = 0
    elapsed: float = 0.0
    ok: bool = True
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["out"] = str(self.out)
        return d


def enabled_sources(settings: Settings) -> list[Source]:
    return [s for s in load_register(settings.sources_file) if s.enabled]


def find_source(settings: Settings, source_id: str) -> Source:
    for source in load_register(settings.sources_file):
        if source.id == source_id:
            return source
    raise CrawlError(f"no source {source_id!r} in {settings.sources_file}; add an entry there")


def spider_env(settings: Settings) -> dict[str, str]:
    """The spider's environment: private addresses are allowed only by the source's own
    ``local: true`` / ``--allow-private``, never inherited from the caller's environment."""
    env = {k: v for k, v in os.environ.items() if k != "LUREWATCH_ALLOW_PRIVATE"}
    env["LUREWATCH_USER_AGENT"] = settings.user_agent
    return env


def default_holder() -> str:
    """Who is crawling, for the lock file: this process's command line."""
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"


@contextmanager
def source_lock(settings: Settings, source_id: str, partition: str, holder: str) -> Iterator[int]:
    """Hold ``source_id``'s crawl lock for the ``with`` block; yields the locked descriptor.
    Raises :class:`SourceBusy` at once (never waits) when another crawl holds it."""
    path = settings.data_dir / "state" / f"{source_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held_by = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "holder still starting"
            raise SourceBusy(f"{source_id}: another crawl of this source is running ({held_by}); wait "
                             f"for it to finish, then run this again (lock file {path})") from None
        since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, partition {partition}, "
                      f"since {since}, started by: {holder}\n".encode(), 0)
        try:
            yield fd
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def run_spider(args: list[str], out: Path, partition: str, settings: Settings,
               source_id: str, holder: str | None = None) -> CrawlResult:
    """Run one crawl subprocess under the source's lock (``holder`` says who asked: default
    this command line); raises CrawlError with the spider's last words on failure, SourceBusy
    when the source is being crawled already."""
    with source_lock(settings, source_id, partition, holder or default_holder()) as lock_fd:
        return _run_spider(args, out, partition, settings, source_id, lock_fd)


def _run_spider(args: list[str], out: Path, partition: str, settings: Settings,
                source_id: str, lock_fd: int) -> CrawlResult:
    out.parent.mkdir(parents=True, exist_ok=True)
    stats_path = out.with_name(f".{out.stem}.stats.json")
    cmd = [sys.executable, "-m", "spiders.run", *args, "--partition", partition, "--out", str(out),
           "--stats-out", str(stats_path),
           # evidence (WARC, never modified once written) and incremental state per source
           "--set", f"LUREWATCH_WARC_DIR={settings.data_dir / 'warc'}",
           "--set", f"LUREWATCH_STATE_DIR={settings.data_dir / 'state'}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=spider_env(settings),
                              timeout=settings.crawl_timeout, check=False, pass_fds=(lock_fd,))
    except subprocess.TimeoutExpired as exc:
        raise CrawlError(f"{source_id}: crawl took longer than {settings.crawl_timeout:.0f}s "
                         "(LUREWATCH_CRAWL_TIMEOUT)") from exc
    result = CrawlResult(source_id, partition, out)
    if stats_path.is_file():
        summary = json.loads(stats_path.read_text("utf-8"))
        for key in ("items", "pages", "errors", "dropped", "elapsed", "ok", "problems"):
            if key in summary:
                setattr(result, key, summary[key])
        counters = summary.get("counters", {})
        result.written = result.items - int(counters.get("lurewatch/unchanged", 0))
        result.removed = int(counters.get("lurewatch/removed", 0))
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise CrawlError(f"{source_id}: spider exited {proc.returncode}: {tail}")
    return result


def crawl_source(source: Source, partition: str, settings: Settings, *,
                 holder: str | None = None) -> CrawlResult:
    """Crawl one register source for ``partition`` (never two at once: see the module doc)."""
    return run_spider(source.run_args(), settings.raw_partition(source.id, partition), partition,
                      settings, source.id, holder)


def adhoc_source(kind: str, urls: list[str], *, source_id: str = "adhoc", allow_private: bool = False,
                 max_pages: int | None = None, selectors: dict[str, str] | None = None) -> Source:
    """A one-off source for ``lurewatch crawl --kind … --url …``, validated like a register
    entry; loopback and private hosts only with ``allow_private``."""
    from urllib.parse import urlsplit

    from pipeline.hostpolicy import start_url_problem

    for url in urls:
        host = urlsplit(url).hostname or ""
        if problem := start_url_problem(host, allow_private=allow_private, hint="pass --allow-private to crawl it"):
            raise CrawlError(f"{url} {problem}")
    entry: dict[str, Any] = {"id": source_id, "kind": kind, "start_urls": urls, "local": allow_private,
                             "legal_basis": "ad-hoc crawl started by an operator"}
    if max_pages:
        entry["max_pages"] = max_pages
    if selectors:
        entry["selectors"] = selectors
    try:
        (source,) = parse_register({"sources": [entry]}, origin="command line")
    except RegisterError as exc:
        raise CrawlError(str(exc)) from exc
    return source


def crawl_adhoc(source: Source, out: Path, partition: str, settings: Settings) -> CrawlResult:
    """Crawl one ad-hoc source into ``out``: one record per line, each with ``sha256`` (the
    SHA-256 of the captured response body) beside the record fields."""
    from pipeline.jsonl import write_jsonl

    result = run_spider(source.run_args(), out, partition, settings, source.id)
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.strip()]
    for row in rows:
        row["sha256"] = row["body_sha256"]
    write_jsonl(out, rows)
    return result


def crawl_totals(settings: Settings, partition: str) -> dict[str, int]:
    """What the spiders reported for ``partition`` across sources: ``found`` (posts seen),
    ``written`` (new or changed, in the raw partitions) and ``removed`` (takedown evidence)."""
    totals = {"found": 0, "written": 0, "removed": 0, "sources": 0}
    for path in sorted(settings.raw_dir.glob(f"*/.{partition}.stats.json")):
        summary = json.loads(path.read_text("utf-8"))
        counters = summary.get("counters", {})
        totals["sources"] += 1
        totals["found"] += int(summary.get("items", 0))
        totals["written"] += int(summary.get("items", 0)) - int(counters.get("lurewatch/unchanged", 0))
        totals["removed"] += int(counters.get("lurewatch/removed", 0))
    return totals
