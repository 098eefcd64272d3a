"""What the Airflow DAG's tasks call: one function per task, settings from the environment,
JSON-serializable returns (they become XComs). No Airflow import here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pipeline.settings import Settings


def partition_key(data_interval_start: Any = None, logical_date: Any = None,
                  run_id: str | None = None) -> str:
    """The day a run covers, ``YYYY-MM-DD``: from the data interval on scheduled runs, else
    the logical date, else a date inside ``run_id``. Computed once per run, never from now()."""
    for value in (data_interval_start, logical_date):
        if isinstance(value, dt.datetime | dt.date):
            return value.strftime("%Y-%m-%d")
    if run_id and (m := re.search(r"(\d{4}-\d{2}-\d{2})", run_id)):
        return m.group(1)
    raise ValueError("cannot derive a partition: the run has no data interval, logical date "
                     "or date in its run_id; trigger it with a logical date")


def source_ids() -> list[str]:
    from pipeline.crawl import enabled_sources

    return [s.id for s in enabled_sources(Settings.from_env())]


def crawl_one(source_id: str, partition: str) -> dict[str, Any]:
    from pipeline.crawl import crawl_source, find_source

    settings = Settings.from_env()
    return crawl_source(find_source(settings, source_id), partition, settings).to_dict()


def process(partition: str) -> dict[str, Any]:
    from pipeline.run import process_partition

    return process_partition(partition, Settings.from_env()).to_dict()
