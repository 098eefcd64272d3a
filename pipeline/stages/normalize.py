"""Stage 1: normalize. Sets ``record.norm_text`` (title and text, see :mod:`pipeline.textnorm`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pipeline.records import Record
from pipeline.settings import Settings
from pipeline.textnorm import normalize_text

VERSION = "normalize.v1"


def analysis_text(record: Record) -> str:
    """The normalized text models see: title, newline, text."""
    title = normalize_text(record.title).text if record.title else ""
    body = normalize_text(record.text).text
    return f"{title}\n{body}" if title else body


def normalize(records: Iterable[Record], *, settings: Settings | None = None) -> Iterator[Record]:
    for record in records:
        record.norm_text = analysis_text(record)
        record.stages["normalize"] = VERSION
        yield record
