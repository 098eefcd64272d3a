"""Item pipelines: validate every record against the JSON Schema, then write the partition.

Enable by dotted path in ``ITEM_PIPELINES`` (see ``spiders/settings.py``).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from pipeline.records import Record, RecordError, validate

logger = logging.getLogger(__name__)

#: Signal (``crawler.signals.send_catch_log(record_unchanged, record=…)``): the record was
#: captured in an earlier partition and must not be written to this one (spiders/state.py).
#: It still counts as a scraped item, so crawl-health monitors see what the crawl found.
record_unchanged = object()


class RecordValidationPipeline:
    """Drops (``DropItem``) anything that is not a schema-valid :class:`Record`.

    Stats: ``lurewatch/invalid_records`` besides Scrapy's ``item_dropped_count``.
    """

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordValidationPipeline:
        return cls(stats=crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Record):
            self._count()
            raise DropItem(f"not a Record: {type(item).__name__}")
        try:
            validate(item.to_dict())
        except RecordError as exc:
            self._count()
            raise DropItem(f"{item.url}: {exc}") from exc
        return item

    def _count(self) -> None:
        if self.stats is not None:
            self.stats.inc_value("lurewatch/invalid_records")


class JsonLinesRecordWriter:
    """Writes ``Record.to_json()`` lines to the ``LUREWATCH_OUTPUT`` path, atomically.

    Lines go to a temporary file in the output's directory; when the spider closes with
    reason ``finished`` and at least one record was written or skipped as unchanged (see
    :data:`record_unchanged`; when all were unchanged the partition is an empty file), the
    file is flushed, fsynced and renamed over the output (and the directory fsynced). Any
    other ending (killed, shut down, cancelled, nothing written) deletes the temporary file
    and leaves an existing output as it was, so a partition is either the old one or a complete new one.
    Not configured (switched off) when ``LUREWATCH_OUTPUT`` is unset.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.count = 0
        self.unchanged: set[str] = set()
        self._tmp: Path | None = None
        self._fh: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonLinesRecordWriter:
        out = crawler.settings.get("LUREWATCH_OUTPUT")
        if not out:
            raise NotConfigured(
                "set LUREWATCH_OUTPUT (python -m spiders.run --out PATH) to write records"
            )
        writer = cls(Path(out))
        crawler.signals.connect(writer.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(writer.skip, signal=record_unchanged)
        return writer

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        self._tmp = Path(name)
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; give the partition normal permissions
        self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def skip(self, record: Record) -> None:
        """Leave ``record`` out of the partition (handler of :data:`record_unchanged`)."""
        self.unchanged.add(record.id)

    def process_item(self, item: Any) -> Any:
        if self._fh is None:
            raise RuntimeError("JsonLinesRecordWriter.process_item() before open_spider()")
        if isinstance(item, Record) and item.id in self.unchanged:
            return item
        self._fh.write(item.to_json() + "\n")
        self.count += 1
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish(commit=reason == "finished" and (self.count > 0 or bool(self.unchanged)))
        if reason == "finished" and self.count == 0 and not self.unchanged:
            logger.warning("no records written; %s left unchanged", self.path)

    def finish(self, *, commit: bool) -> None:
        """Rename the temporary file over the output (``commit``) or delete it."""
        if self._fh is None or self._tmp is None:
            return
        fh, tmp = self._fh, self._tmp
        self._fh = self._tmp = None
        try:
            if commit:
                fh.flush()
                os.fsync(fh.fileno())
            fh.close()
            if commit:
                os.replace(tmp, self.path)
                _fsync_dir(self.path.parent)
                logger.info("wrote %d records to %s (%d unchanged records not written)",
                            self.count, self.path, len(self.unchanged))
        finally:
            if tmp.exists():
                tmp.unlink()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # platforms where directories cannot be opened
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
