"""One day's run: crawl every enabled source for a partition, then process the partition
(signals: normalize → extract → indicators; score; index). Used by the CLI (``lurewatch
run``) and by the Airflow DAG (one task per step)."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from models.persist import load_model
from pipeline.pool import ordered_map
from pipeline.records import Record, RecordError
from pipeline.settings import Settings
from pipeline.stages.index import index
from pipeline.stages.score import score
from pipeline.stages.signals import signals
from pipeline.store import open_store
from pipeline.store.base import UpsertResult
from pipeline.store.lifecycle import RemovalEntry

log = logging.getLogger(__name__)


@dataclass
class ProcessSummary:
    partition: str
    read: int = 0
    invalid: int = 0
    indexed: int = 0
    created: int = 0
    updated: int = 0
    flagged: int = 0
    removed: int = 0
    invalid_removals: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def partition_files(settings: Settings, partition: str, suffix: str = ".jsonl",
                    sources: Collection[str] | None = None) -> list[Path]:
    """``raw/<source>/<partition><suffix>`` files that exist: of every source, or of ``sources``."""
    if sources is None:
        return sorted(settings.raw_dir.glob(f"*/{partition}{suffix}"))
    paths = (settings.raw_dir / source / f"{partition}{suffix}" for source in sorted(set(sources)))
    return [p for p in paths if p.is_file()]


def read_partition(settings: Settings, partition: str, summary: ProcessSummary,
                   sources: Collection[str] | None = None) -> Iterator[Record]:
    """Records captured for ``partition`` (all sources, or only ``sources``). Invalid lines are
    counted and logged with file and line, never silently dropped."""
    for path in partition_files(settings, partition, ".jsonl", sources):
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


def read_removals(settings: Settings, partition: str, summary: ProcessSummary,
                  sources: Collection[str] | None = None) -> list[RemovalEntry]:
    """Removal evidence the spiders wrote for ``partition`` (``<source>/<partition>.removed.jsonl``,
    see spiders/state.py), of all sources or only ``sources``. Invalid lines are counted
    (``invalid_removals``) and logged."""
    entries = []
    for path in partition_files(settings, partition, ".removed.jsonl", sources):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    entries.append(RemovalEntry.from_dict(json.loads(line)))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
                    summary.invalid_removals += 1
                    log.warning("%s:%d: skipped invalid removal: %s", path, n, exc)
    return entries


#: records per task sent to a worker process, and the fewest records worth starting workers for
CHUNK = 128
MIN_POOLED = 256


def analyze(records: Iterable[Record], settings: Settings) -> Iterator[Record]:
    """The analysis stages chained, in this process: signals → score."""
    return score(signals(records, settings=settings), settings=settings)


def _analyze_chunk(settings: Settings, chunk: list[Record]) -> list[Record]:
    return list(analyze(chunk, settings))


def enrich(records: Iterable[Record], settings: Settings) -> Iterator[Record]:
    """:func:`analyze` over ``records`` in ``settings.workers`` processes, in order
    (:func:`pipeline.pool.ordered_map`; one process for fewer than :data:`MIN_POOLED`)."""
    load_model(settings.model_path)  # before forking: the workers start with it in memory
    return ordered_map(partial(_analyze_chunk, settings), records, workers=settings.workers, chunk=CHUNK,
                       min_items=MIN_POOLED)


def process_partition(partition: str, settings: Settings, *,
                      sources: Collection[str] | None = None) -> ProcessSummary:
    """Run the stages over one day's captures (of every source, or only ``sources``), index
    them, then apply the same files' removal evidence (``removed`` counts records newly marked
    removed). Idempotent: a re-run indexes nothing new and marks nothing again."""
    summary = ProcessSummary(partition)
    totals = UpsertResult()
    store = open_store(settings)
    try:
        for record in index(enrich(read_partition(settings, partition, summary, sources), settings),
                            store=store, totals=totals):
            summary.indexed += 1
            summary.flagged += int(bool(record.flagged))
        # After indexing: a post captured and removed on the same day is marked too.
        summary.removed = store.mark_removed(read_removals(settings, partition, summary, sources))
    finally:
        store.close()
    summary.created, summary.updated = totals.created, totals.updated
    return summary
