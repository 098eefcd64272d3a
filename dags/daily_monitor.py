"""daily_monitor: one day of LureWatch monitoring.

partition_key → list_sources → crawl (one mapped task per enabled source, Scrapy in a
subprocess) → process (normalize, extract, indicators, score, index into the store).
Thin wiring: every task body is one call into ``pipeline.tasks``; heavy imports happen
inside tasks. Re-running a day replaces its raw partitions and upserts by deterministic id,
so nothing is duplicated.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

DEFAULT_ARGS = {"retries": 2, "retry_delay": pendulum.duration(minutes=2), "owner": "lurewatch"}


@dag(
    dag_id="daily_monitor",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lurewatch", "monitoring"],
    doc_md=__doc__,
)
def daily_monitor() -> None:
    @task
    def partition_key(data_interval_start=None, logical_date=None, run_id=None) -> str:  # noqa: ANN001
        from pipeline.tasks import partition_key as key

        return key(data_interval_start, logical_date, run_id)

    @task
    def list_sources() -> list[str]:
        from pipeline.tasks import source_ids

        return source_ids()

    @task(max_active_tis_per_dag=2)
    def crawl(source_id: str, partition: str) -> dict:
        from pipeline.tasks import crawl_one

        return crawl_one(source_id, partition)

    @task(trigger_rule="all_done")
    def process(partition: str, crawls: list[dict]) -> dict:
        from pipeline.tasks import process as run_process

        return run_process(partition)

    partition = partition_key()
    crawled = crawl.partial(partition=partition).expand(source_id=list_sources())
    process(partition, crawled)


daily_monitor()
