"""Retention: delete raw captures older than each source's ``retention_days``.

Raw partitions (``raw/<source>/<day>.jsonl`` and their ``.removed.jsonl`` and stats files) and
WARC evidence (``warc/<source>/<day>/``) of days before ``today - retention_days`` are
deleted. Indexed records in the store are not touched: what investigators triaged stays
until they close it. Sources no longer in the register are reported, never pruned.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.register import load_register
from pipeline.settings import Settings

_DAY = re.compile(r"^\.?(\d{4}-\d{2}-\d{2})(?:\..*)?$")


@dataclass
class PruneReport:
    deleted: list[Path] = field(default_factory=list)
    bytes: int = 0
    unknown_sources: list[str] = field(default_factory=list)


def _day(name: str) -> dt.date | None:
    m = _DAY.match(name)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def prune(settings: Settings, today: dt.date, *, dry_run: bool = False) -> PruneReport:
    """Delete captures past retention (see module doc); ``dry_run`` only reports."""
    retention = {s.id: s.retention_days for s in load_register(settings.sources_file)}
    report = PruneReport()
    for base in (settings.raw_dir, settings.data_dir / "warc"):
        if not base.is_dir():
            continue
        for source_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            days = retention.get(source_dir.name)
            if days is None:
                if source_dir.name not in report.unknown_sources:
                    report.unknown_sources.append(source_dir.name)
                continue
            cutoff = today - dt.timedelta(days=days)
            for entry in sorted(source_dir.iterdir()):
                day = _day(entry.name)
                if day is None or day >= cutoff:
                    continue
                report.deleted.append(entry)
                report.bytes += _size(entry)
                if not dry_run:
                    _delete(entry)
    return report


def _delete(path: Path) -> None:
    # WARC files are read-only once written; make them writable only to delete them.
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        p.chmod(0o700 if p.is_dir() else 0o600)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
