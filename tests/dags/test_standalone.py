"""The asset model under a real scheduler, as an operator runs it (`airflow standalone`): a
crawl DAG's run emits its source's asset event, which triggers process_raw, which processes
that source's partition and nothing else of the same day."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.demo import demo_register, sites_root
from pipeline.demo.server import FixtureServer
from pipeline.settings import Settings
from pipeline.store import open_store

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

DAGS = Path(__file__).resolve().parents[2] / "dags"
BIN = Path(sys.executable).parent
DAY = "2026-11-28"
NEVER_DUE = "0 0 29 2 *"  # next due 2028-02-29: the scheduler starts no crawl of its own


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def until(what: str, deadline: float, probe: Any) -> Any:
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(5)
    raise AssertionError(f"timed out waiting for {what}")


def json_rows(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return next((json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("[")), [])


def parsed(env: dict[str, str]) -> bool | None:
    ids = {row["dag_id"] for row in json_rows(airflow(env, "dags", "list", "-o", "json"))}
    return True if {"crawl_demo-jobboard", "process_raw"} <= ids else None


def finished_runs(env: dict[str, str], dag_id: str) -> list[dict[str, str]] | None:
    rows = json_rows(airflow(env, "dags", "list-runs", dag_id, "-o", "json"))
    done = [r for r in rows if r["state"] in ("success", "failed")]
    return done or None


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group ``proc`` leads; SIGKILL what is left of it after 90 s."""
    os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return  # the leader and every process of its group are gone
        time.sleep(1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_crawl_asset_event_triggers_processing_of_that_source_only(tmp_path: Path) -> None:
    api = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUREWATCH_", "AIRFLOW"))}
    env.update({
        "AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__API__PORT": str(api),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{api}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "LUREWATCH_SOURCES": str(tmp_path / "sources.yaml"), "LUREWATCH_DATA_DIR": str(tmp_path / "data"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    with FixtureServer(sites_root()) as site:
        register = demo_register(site.base_url)
        for entry in register["sources"]:
            entry["schedule"] = NEVER_DUE
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(register), "utf-8")
        # another source's partition of the same day is on disk before the job board is crawled
        other = subprocess.run([str(BIN / "lurewatch"), "crawl", "demo-telegram-vieclam", "--date", DAY],
                               env=env, capture_output=True, text=True, timeout=300, check=False)
        assert other.returncode == 0, other.stderr
        log = (tmp_path / "standalone.log").open("w")
        standalone = subprocess.Popen([str(BIN / "airflow"), "standalone"], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 600
            until("the DAGs to be parsed", deadline, lambda: parsed(env))
            for dag_id in ("process_raw", "crawl_demo-jobboard"):
                assert airflow(env, "dags", "unpause", dag_id).returncode == 0
            trigger = airflow(env, "dags", "trigger", "crawl_demo-jobboard", "--logical-date", f"{DAY}T00:00:00+00:00")
            assert trigger.returncode == 0, trigger.stderr
            (crawl,) = until("the crawl run", deadline, lambda: finished_runs(env, "crawl_demo-jobboard"))
            assert crawl["state"] == "success"
            (processing,) = until("the processing it triggers", deadline, lambda: finished_runs(env, "process_raw"))
        finally:
            stop_group(standalone)
            log.close()
    tail = "\n".join((tmp_path / "standalone.log").read_text("utf-8", "replace").splitlines()[-40:])
    assert processing["state"] == "success", tail
    assert processing["run_id"].startswith("asset_triggered__"), processing
    settings = Settings.from_env({k: v for k, v in env.items() if k.startswith("LUREWATCH_")})
    store = open_store(settings)
    try:
        hits = store.search(None, size=100).hits
    finally:
        store.close()
    assert {(h.record.source_id, h.record.partition) for h in hits} == {("demo-jobboard", DAY)}
    assert len(hits) == 12
