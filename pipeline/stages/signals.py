"""Stage 1: signals. Sets a record's language (``lang``, ``lang_source``), ``region``,
``norm_text``, ``entities`` and ``indicators`` with :func:`pipeline.signals.post_signals`,
the one composition of normalize → extract → indicators (see that module for where language
and region come from)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pipeline.extractors.find import VERSION as EXTRACT_VERSION
from pipeline.indicators import VERSION as INDICATORS_VERSION
from pipeline.records import Record
from pipeline.settings import Settings
from pipeline.signals import post_signals

NORMALIZE_VERSION = "normalize.v1"


def signals(records: Iterable[Record], *, settings: Settings | None = None) -> Iterator[Record]:
    for record in records:
        given = record.lang if record.lang_source in (None, "spider") else None
        found = post_signals(record.title, record.text, lang=given, lang_source="spider", region=record.region)
        if record.lang and record.lang != found.lang and found.lang_source == "spider":
            record.extra.setdefault("lang_tag", record.lang)  # the tag as captured, e.g. "vi-VN"
        record.lang, record.lang_source, record.region = found.lang, found.lang_source, found.region
        record.norm_text = found.analysis_text
        record.entities = found.entities
        record.indicators = found.indicators
        record.stages.update(normalize=NORMALIZE_VERSION, extract=EXTRACT_VERSION, indicators=INDICATORS_VERSION)
        yield record
