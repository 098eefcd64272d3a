"""One DAG per enabled source in the register, on that source's own schedule:
``crawl_<source_id>``: partition_key → crawl → process.

The register (LUREWATCH_SOURCES, default spiders/sources.yaml) is read with plain YAML at parse
time (no project imports); the tasks validate it properly. ``daily_monitor`` stays the
one-shot "whole day" DAG; these let each source keep its own cadence and politeness.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
import yaml
from airflow.sdk import dag, task

DEFAULT_ARGS = {"retries": 2, "retry_delay": pendulum.duration(minutes=2), "owner": "lurewatch"}
REGISTER = Path(os.environ.get("LUREWATCH_SOURCES") or Path(__file__).resolve().parents[1] / "spiders" / "sources.yaml")


def _entries() -> list[dict]:
    try:
        data = yaml.safe_load(REGISTER.read_text("utf-8")) or {}
    except FileNotFoundError:
        return []
    return [e for e in data.get("sources") or [] if isinstance(e, dict) and e.get("enabled", True) and e.get("id")]


def make_dag(source_id: str, schedule: str) -> None:
    @dag(
        dag_id=f"crawl_{source_id.replace('.', '_').replace('-', '_')}",
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["lurewatch", "crawl"],
        doc_md=f"Crawl register source `{source_id}` on its schedule, then process its day.",
    )
    def source_dag() -> None:
        @task
        def partition_key(data_interval_start=None, logical_date=None, run_id=None) -> str:  # noqa: ANN001
            from pipeline.tasks import partition_key as key

            return key(data_interval_start, logical_date, run_id)

        @task(max_active_tis_per_dag=1)
        def crawl(partition: str) -> dict:
            from pipeline.tasks import crawl_one

            return crawl_one(source_id, partition)

        @task
        def process(partition: str, crawled: dict) -> dict:
            from pipeline.tasks import process

            return process(partition)

        partition = partition_key()
        process(partition, crawl(partition))

    source_dag()


for _entry in _entries():
    make_dag(str(_entry["id"]), str(_entry.get("schedule") or "@daily"))
