"""What the Airflow DAG's tasks call: one function per task, settings from the environment,
JSON-serializable returns (they become XComs and asset-event extras). No Airflow import here.

The DAG model (``dags/lurewatch.py``): a crawl DAG per register source writes
``raw/<source>/<partition>.jsonl`` (and ``.removed.jsonl``) and emits an asset event whose
extra is :func:`crawl_event`; the processing DAG turns the events that triggered it, or a
manual run's conf, into targets (:func:`process_targets`) and processes each
(:func:`process_target`): only that source's files of that partition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.settings import Settings


def partition_key(data_interval_start: Any = None, logical_date: Any = None,
                  run_id: str | None = None) -> str:
    """The day a run covers, ``YYYY-MM-DD``: the logical date (a scheduled run's data interval
    start; the date an operator gave a manual run, whose data interval Airflow 3 starts at
    the trigger time), else the data interval start, else a date inside ``run_id``. Computed
    once per run, never from now()."""
    for value in (logical_date, data_interval_start):
        if isinstance(value, dt.datetime | dt.date):
            return value.strftime("%Y-%m-%d")
    if run_id and (m := re.search(r"(\d{4}-\d{2}-\d{2})", run_id)):
        return m.group(1)
    raise ValueError("cannot derive a partition: the run has no data interval, logical date "
                     "or date in its run_id; trigger it with a logical date")


def crawl_one(source_id: str, partition: str, holder: str | None = None) -> dict[str, Any]:
    """Crawl one register source for ``partition`` (under its lock; ``holder`` names the run)."""
    from pipeline.crawl import crawl_source, find_source

    settings = Settings.from_env()
    return crawl_source(find_source(settings, source_id), partition, settings, holder=holder).to_dict()


def crawl_event(crawled: Mapping[str, Any]) -> dict[str, Any]:
    """The asset-event extra of a finished crawl (a :func:`crawl_one` result): which source and
    partition it wrote, the files, and how many posts were new or changed and removed."""
    out = str(crawled["out"])
    return {"source": crawled["source_id"], "partition": crawled["partition"], "file": out,
            "removed_file": out.removesuffix(".jsonl") + ".removed.jsonl",
            "written": crawled["written"], "removed": crawled["removed"]}


def _partition(value: Any, origin: str) -> str:
    try:
        ok = dt.date.fromisoformat(value).isoformat() == value
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{origin}: partition {value!r} is not a day like 2026-11-28")
    return str(value)


def _source(value: Any, origin: str) -> str:
    from pipeline.register import is_source_id

    if not is_source_id(value):
        raise ValueError(f"{origin}: source {value!r} is not a register source id")
    return str(value)


def process_targets(event_extras: Iterable[Mapping[str, Any]], params: Mapping[str, Any]) -> list[dict[str, str]]:
    """The (source, partition) pairs a processing run handles, each once, oldest day first:
    from the asset events that triggered it, else from a manual run's ``partition`` and
    ``sources`` (none: every source with a file for that partition). Raises ValueError
    saying how to trigger it when there is neither."""
    pairs = {(_source(e.get("source"), "asset event"), _partition(e.get("partition"), "asset event"))
             for e in event_extras}
    if not pairs:
        if not params.get("partition"):
            raise ValueError("no asset event triggered this run and no partition was given: trigger it "
                             'with conf {"partition": "2026-11-28", "sources": ["<source id>"]}')
        partition = _partition(params["partition"], "conf")
        sources = params.get("sources") or _sources_with_files(partition)
        pairs = {(_source(s, "conf"), partition) for s in sources}
    return [{"source": s, "partition": p} for s, p in sorted(pairs, key=lambda sp: (sp[1], sp[0]))]


def _sources_with_files(partition: str) -> list[str]:
    from pipeline.run import partition_files

    return [path.parent.name for path in partition_files(Settings.from_env(), partition)]


def process_target(target: Mapping[str, str]) -> dict[str, Any]:
    """Process one source's partition: its records and its removal evidence, nothing else."""
    from pipeline.run import process_partition

    source, partition = _source(target.get("source"), "target"), _partition(target.get("partition"), "target")
    return process_partition(partition, Settings.from_env(), sources=[source]).to_dict()
