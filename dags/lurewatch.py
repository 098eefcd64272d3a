"""The LureWatch DAGs, one model: each source is crawled by exactly one DAG, and processing
is triggered by what the crawls wrote.

* ``crawl_<source id>``, one per enabled register entry, on that entry's ``schedule``:
  partition_key → crawl. The crawl writes ``raw/<source>/<partition>.jsonl`` (and
  ``.removed.jsonl``) and emits an event on the source's asset ``lurewatch-raw-<source id>``
  whose extra names the source, the partition and the files. Never two crawls of a source at
  once: ``max_active_runs=1`` here, and a per-source lock in ``pipeline.crawl`` that also
  holds off ``lurewatch crawl``/``lurewatch run`` outside Airflow.
* ``process_raw``, scheduled on any source's asset: targets → process (one mapped task per
  source and partition in the triggering events). Each reads only that source's files of
  that partition. A manual run takes conf ``{"partition": "YYYY-MM-DD", "sources": [...]}``
  (no sources: every source with a file for that day).

The register (LUREWATCH_SOURCES, default spiders/sources.yaml) is read with plain YAML when
the file is parsed (no project imports at module level); the tasks validate it properly.
Thin wiring: every task body is a call or two into ``pipeline.tasks``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
import yaml
from airflow.sdk import Asset, AssetAny, Param, dag, task

DEFAULT_ARGS = {"retries": 2, "retry_delay": pendulum.duration(minutes=2), "owner": "lurewatch"}
START = pendulum.datetime(2026, 1, 1, tz="UTC")
PROJECT = Path(__file__).resolve().parents[1]


def register_path() -> Path:
    """LUREWATCH_SOURCES as ``pipeline.settings`` reads it (relative to the project)."""
    path = Path(os.environ.get("LUREWATCH_SOURCES") or "spiders/sources.yaml").expanduser()
    return path if path.is_absolute() else PROJECT / path


def enabled_sources() -> list[tuple[str, str]]:
    """(id, schedule) of every enabled register entry."""
    path = register_path()
    if not path.is_file():
        raise FileNotFoundError(f"source register {path} not found: set LUREWATCH_SOURCES to the register file")
    entries = (yaml.safe_load(path.read_text("utf-8")) or {}).get("sources") or []
    return [(str(e["id"]), str(e.get("schedule") or "@daily").strip())
            for e in entries if isinstance(e, dict) and e.get("id") and e.get("enabled", True)]


def raw_asset(source_id: str) -> Asset:
    """What a source's crawl DAG produces: its raw partitions."""
    return Asset(f"lurewatch-raw-{source_id}", group="lurewatch-raw")


def crawl_dag(source_id: str, schedule: str) -> None:
    asset = raw_asset(source_id)

    @dag(
        dag_id=f"crawl_{source_id}",
        schedule=schedule,
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["lurewatch", "crawl"],
        doc_md=f"Crawl register source `{source_id}` on its schedule into its raw partition; "
               f"the asset event on `{asset.name}` triggers `process_raw`.",
    )
    def crawl_source() -> None:
        @task
        def partition_key(data_interval_start=None, logical_date=None, run_id=None) -> str:  # noqa: ANN001
            from pipeline.tasks import partition_key as key

            return key(data_interval_start, logical_date, run_id)

        @task(outlets=[asset], max_active_tis_per_dag=1, multiple_outputs=False)
        def crawl(partition: str, run_id=None, outlet_events=None) -> dict:  # noqa: ANN001
            from pipeline.tasks import crawl_event, crawl_one

            crawled = crawl_one(source_id, partition, holder=f"Airflow DAG crawl_{source_id}, run {run_id}")
            outlet_events[asset].extra = crawl_event(crawled)
            return crawled

        crawl(partition_key())

    crawl_source()


def process_dag(assets: list[Asset]) -> None:
    @dag(
        dag_id="process_raw",
        schedule=AssetAny(*assets) if assets else None,
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["lurewatch", "processing"],
        params={
            "partition": Param("", type="string", pattern=r"^(\d{4}-\d{2}-\d{2})?$",
                               description="manual runs: the day to process (YYYY-MM-DD)"),
            "sources": Param([], type="array", items={"type": "string"},
                             description="manual runs: source ids (empty: every source with a file that day)"),
        },
        doc_md="Normalize, extract, find indicators, score and index what the crawls wrote: one "
               "mapped `process` task per (source, partition) of the triggering asset events.",
    )
    def process_raw() -> None:
        @task
        def targets(triggering_asset_events=None, params=None) -> list[dict]:  # noqa: ANN001
            from pipeline.tasks import process_targets

            extras = [e.extra for events in (triggering_asset_events or {}).values() for e in events]
            return process_targets(extras, params or {})

        # one writer at a time: the embedded SQLite store takes one (raise with Elasticsearch)
        @task(max_active_tis_per_dag=1, multiple_outputs=False)
        def process(target: dict) -> dict:
            from pipeline.tasks import process_target

            return process_target(target)

        process.expand(target=targets())

    process_raw()


_sources = enabled_sources()
for _id, _schedule in _sources:
    crawl_dag(_id, _schedule)
process_dag([raw_asset(_id) for _id, _ in _sources])
