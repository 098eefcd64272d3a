"""Policy tests for dags/ and one real run of daily_monitor with dag.test() over the demo
fixture sites served on 127.0.0.1."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pendulum
import pytest
import yaml

pytestmark = pytest.mark.airflow

DAGS = Path(__file__).resolve().parents[2] / "dags"
APPROVED_TAGS = {"lurewatch", "monitoring", "crawl"}
HEAVY = {"scrapy", "spacy", "sklearn", "elasticsearch", "pipeline", "models", "spiders", "numpy"}  # yaml is light


@pytest.fixture(scope="module")
def dagbag(airflow_db: Path) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dagbag_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert "daily_monitor" in dagbag.dag_ids


def test_policy_tags_retries_and_graph(dagbag: Any) -> None:
    dag = dagbag.get_dag("daily_monitor")
    assert set(dag.tags) <= APPROVED_TAGS
    assert dag.tags
    assert not dag.catchup
    for task in dag.tasks:
        assert task.retries >= 2, task.task_id
    graph = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert graph == {
        "partition_key": ["crawl", "process"],
        "list_sources": ["crawl"],
        "crawl": ["process"],
        "process": [],
    }


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


def test_dag_test_run_over_fixture_sites(dagbag: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.demo import demo_register, sites_root
    from pipeline.demo.server import FixtureServer
    from pipeline.settings import Settings
    from pipeline.store import open_store

    dag = dagbag.get_dag("daily_monitor")
    monkeypatch.setenv("LUREWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LUREWATCH_SOURCES", str(tmp_path / "sources.yaml"))
    monkeypatch.setenv("LUREWATCH_ALLOW_PRIVATE", "1")
    monkeypatch.delenv("LUREWATCH_ES_URL", raising=False)
    with FixtureServer(sites_root()) as srv:
        register = demo_register(srv.base_url)
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(register), "utf-8")
        run = dag.test(logical_date=pendulum.datetime(2026, 11, 28, tz="UTC"))
    assert run.state == "success"
    settings = Settings.from_env()
    raw = sorted(p.relative_to(settings.raw_dir).as_posix() for p in settings.raw_dir.glob("*/2026-11-28.jsonl"))
    assert raw == ["demo-jobboard/2026-11-28.jsonl", "demo-telegram-vieclam/2026-11-28.jsonl"]
    warcs = sorted(settings.data_dir.glob("warc/*/2026-11-28/*.warc.gz"))
    assert len(warcs) == 2  # one evidence file per source crawl
    assert all(not w.stat().st_mode & 0o222 for w in warcs)  # read-only once written
    store = open_store(settings)
    try:
        total = store.count({"partition": "2026-11-28"})
        queue = store.queue(partition="2026-11-28")
    finally:
        store.close()
    assert total == 26
    assert queue, "nothing flagged in the demo sources"
    assert all(r.flagged for r in queue)
    assert [r.score for r in queue] == sorted((r.score for r in queue), reverse=True)


def test_one_dag_per_enabled_source_on_its_schedule(airflow_db: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    register = tmp_path / "sources.yaml"
    register.write_text(yaml.safe_dump({"sources": [
        {"id": "kh-board", "kind": "jobposting", "start_urls": ["https://a.example/"], "schedule": "0 */6 * * *",
         "legal_basis": "public ads"},
        {"id": "tg.vn-1", "kind": "telegram", "start_urls": ["https://t.me/s/abcde"], "schedule": "@hourly",
         "legal_basis": "public preview"},
        {"id": "off", "kind": "feed", "start_urls": ["https://b.example/rss"], "enabled": False,
         "legal_basis": "public feed"},
    ]}), "utf-8")
    monkeypatch.setenv("LUREWATCH_SOURCES", str(register))
    bag = DagBag(dag_folder=str(DAGS / "source_crawls.py"))
    assert bag.import_errors == {}
    dags = {d: bag.get_dag(d) for d in bag.dag_ids}
    assert set(dags) == {"crawl_kh_board", "crawl_tg_vn_1"}
    assert dags["crawl_kh_board"].schedule == "0 */6 * * *"
    assert dags["crawl_tg_vn_1"].schedule == "@hourly"
    for dag in dags.values():
        assert {t.task_id for t in dag.tasks} == {"partition_key", "crawl", "process"}
        assert all(t.retries >= 2 for t in dag.tasks)
