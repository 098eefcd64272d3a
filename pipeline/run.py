"""One day's run: crawl every enabled source for a partition, then process the partition
(normalize → extract → indicators → score → index). Used by the CLI (``lurewatch run``) and
by the Airflow DAG (one task per step)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.records import Record, RecordError
from pipeline.settings import Settings
from pipeline.stages.extract import extract
from pipeline.stages.index import index
from pipeline.stages.indicators import indicators
from pipeline.stages.normalize import normalize
from pipeline.stages.score import score
from pipeline.store import open_store
from pipeline.store.base import UpsertResult

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class ProcessSummary:
    partition: str
    read: int = 0
    invalid: int = 0
    indexed: int = 0
    created: int = 0
    updated: int = 0
    flagged: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_partition(settings: Settings, partition: str, summary: ProcessSummary) -> Iterator[Record]:
    """Records captured for ``partition`` (all sources). Invalid lines are counted and logged
    with file and line, never silently dropped."""
    files = sorted(settings.raw_dir.glob(f"*/{partition}.jsonl"))
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = Record.from_dict(json.loads(line))
                except (json.JSONDecodeError, RecordError, TypeError) as exc:
                    summary.invalid += 1
                    log.warning("%s:%d: skipped invalid record: %s", path, n, exc)
                    continue
                summary.read += 1
                summary.by_source[record.source_id] = summary.by_source.get(record.source_id, 0) + 1
                yield record


def enrich(records: Iterable[Record], settings: Settings) -> Iterator[Record]:
    """The analysis stages chained: normalize → extract → indicators → score."""
    return score(indicators(extract(normalize(records, settings=settings), settings=settings),
                            settings=settings), settings=settings)


def process_partition(partition: str, settings: Settings) -> ProcessSummary:
    """Run the stages over one day's captures and index them. Idempotent."""
    summary = ProcessSummary(partition)
    totals = UpsertResult()
    store = open_store(settings)
    try:
        for record in index(enrich(read_partition(settings, partition, summary), settings),
                            store=store, totals=totals):
            summary.indexed += 1
            summary.flagged += int(bool(record.flagged))
    finally:
        store.close()
    summary.created, summary.updated = totals.created, totals.updated
    return summary
