"""Policy tests for dags/lurewatch.py (one crawl DAG per enabled source, processing scheduled
on their assets) and real dag.test() runs of a crawl DAG and the processing it triggers over
the demo fixture sites on 127.0.0.1."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest
import yaml

from pipeline.demo import demo_register, sites_root
from pipeline.demo.server import FixtureServer

pytestmark = pytest.mark.airflow

DAGS = Path(__file__).resolve().parents[2] / "dags"
APPROVED_TAGS = {"lurewatch", "crawl", "processing"}
HEAVY = {"scrapy", "spacy", "sklearn", "elasticsearch", "pipeline", "models", "spiders", "numpy"}  # yaml is light
DAY = pendulum.datetime(2026, 11, 28, tz="UTC")
DEMO_IDS = ("demo-jobboard", "demo-telegram-vieclam")


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    with FixtureServer(sites_root()) as srv:
        yield srv


@pytest.fixture(scope="module")
def env(site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """LUREWATCH_* for the module: the demo register (plus a disabled entry) and a data dir."""
    tmp = tmp_path_factory.mktemp("dags")
    register = demo_register(site.base_url)
    register["sources"][0]["schedule"] = "0 */6 * * *"
    register["sources"].append({"id": "off", "kind": "feed", "start_urls": ["https://b.example/rss"],
                                "enabled": False, "legal_basis": "public feed"})
    (tmp / "sources.yaml").write_text(yaml.safe_dump(register), "utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUREWATCH_SOURCES", str(tmp / "sources.yaml"))
        mp.setenv("LUREWATCH_DATA_DIR", str(tmp / "data"))
        mp.delenv("LUREWATCH_ES_URL", raising=False)
        yield tmp


@pytest.fixture(scope="module")
def dagbag(airflow_db: Path, env: Path) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def raw_asset(source_id: str) -> Any:
    from airflow.sdk import Asset

    return Asset(f"lurewatch-raw-{source_id}", group="lurewatch-raw")


def test_dagbag_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"crawl_demo-jobboard", "crawl_demo-telegram-vieclam", "process_raw"}


def test_policy_tags_retries_one_run_at_a_time_and_graphs(dagbag: Any) -> None:
    for dag_id in dagbag.dag_ids:
        dag = dagbag.get_dag(dag_id)
        assert dag.tags
        assert set(dag.tags) <= APPROVED_TAGS
        assert not dag.catchup
        assert dag.max_active_runs == 1, dag_id
        for task in dag.tasks:
            assert task.retries >= 2, (dag_id, task.task_id)
        graph = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
        if dag_id.startswith("crawl_"):
            assert graph == {"partition_key": ["crawl"], "crawl": []}
            assert dag.task_dict["crawl"].max_active_tis_per_dag == 1
        else:
            assert graph == {"targets": ["process"], "process": []}


def test_each_enabled_source_has_exactly_one_crawl_dag_and_asset(dagbag: Any) -> None:
    outlets: dict[str, list[str]] = {}
    for dag_id in dagbag.dag_ids:
        for task in dagbag.get_dag(dag_id).tasks:
            for asset in task.outlets:
                outlets.setdefault(asset.name, []).append(f"{dag_id}.{task.task_id}")
    assert outlets == {f"lurewatch-raw-{sid}": [f"crawl_{sid}.crawl"] for sid in DEMO_IDS}
    assert dagbag.get_dag("crawl_demo-jobboard").task_dict["crawl"].outlets == [raw_asset("demo-jobboard")]
    assert dagbag.get_dag("crawl_demo-jobboard").schedule == "0 */6 * * *"
    assert dagbag.get_dag("crawl_demo-telegram-vieclam").schedule == "@daily"


def test_processing_is_scheduled_on_every_source_asset(dagbag: Any) -> None:
    from airflow.sdk import AssetAny

    dag = dagbag.get_dag("process_raw")
    assert dag.timetable.asset_condition == AssetAny(*(raw_asset(sid) for sid in DEMO_IDS))
    assert dict(dag.params) == {"partition": "", "sources": []}


def test_register_without_enabled_sources_leaves_a_manual_processing_dag(
        airflow_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.delenv("LUREWATCH_SOURCES")  # the shipped register: examples, all disabled
    bag = DagBag(dag_folder=str(DAGS / "lurewatch.py"))
    assert bag.import_errors == {}
    assert bag.dag_ids == ["process_raw"]
    assert bag.get_dag("process_raw").schedule is None
    monkeypatch.setenv("LUREWATCH_SOURCES", str(tmp_path / "missing.yaml"))
    bag = DagBag(dag_folder=str(DAGS / "lurewatch.py"))
    (error,) = bag.import_errors.values()
    assert "missing.yaml not found: set LUREWATCH_SOURCES" in error


def test_dag_files_do_no_heavy_imports_at_module_level() -> None:
    for path in DAGS.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:  # module level only; task bodies import inside functions
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & HEAVY, f"{path.name}: {names}"


def recorded_events(asset_name: str) -> list[dict[str, Any]]:
    """The extras of the asset events Airflow recorded for ``asset_name``, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                               .where(AssetModel.name == asset_name).order_by(AssetEvent.id))
        return [dict(row.extra) for row in rows]


def test_crawl_dag_then_processing_indexes_only_what_that_crawl_wrote(dagbag: Any, env: Path) -> None:
    from pipeline.settings import Settings
    from pipeline.store import open_store

    settings = Settings.from_env()
    # Another source's partition of the same day is on disk before the job board is crawled.
    assert dagbag.get_dag("crawl_demo-telegram-vieclam").test(logical_date=DAY).state == "success"
    assert (settings.raw_dir / "demo-telegram-vieclam" / "2026-11-28.jsonl").stat().st_size > 0

    run = dagbag.get_dag("crawl_demo-jobboard").test(logical_date=DAY)
    assert run.state == "success"
    *_, event = recorded_events("lurewatch-raw-demo-jobboard")
    out = settings.raw_dir / "demo-jobboard" / "2026-11-28.jsonl"
    assert event == {"source": "demo-jobboard", "partition": "2026-11-28", "file": str(out),
                     "removed_file": str(out.with_name("2026-11-28.removed.jsonl")), "written": 12, "removed": 0}
    warcs = sorted(settings.data_dir.glob("warc/demo-jobboard/2026-11-28/*.warc.gz"))
    assert len(warcs) == 1
    assert not warcs[0].stat().st_mode & 0o222  # read-only once written

    # What the event names is what a processing run handles (under a scheduler the event
    # itself triggers it: tests/dags/test_standalone.py; dag.test() makes a manual run).
    conf = {"partition": event["partition"], "sources": [event["source"]]}
    processed = dagbag.get_dag("process_raw").test(logical_date=DAY, run_conf=conf)
    assert processed.state == "success"
    store = open_store(settings)
    try:
        hits = store.search(None, size=100).hits
        queue = store.queue(partition="2026-11-28")
    finally:
        store.close()
    assert {h.record.source_id for h in hits} == {"demo-jobboard"}  # the telegram day was not read
    assert len(hits) == 12
    assert queue
    assert all(r.flagged for r in queue)
    assert [r.score for r in queue] == sorted((r.score for r in queue), reverse=True)

