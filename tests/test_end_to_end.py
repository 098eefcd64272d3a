"""The whole day, run as users run it: `lurewatch run` on both store backends and
`lurewatch demo` (real Airflow), each twice to show a re-run duplicates nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.demo import demo_register, sites_root
from pipeline.demo.server import FixtureServer
from pipeline.settings import Settings
from pipeline.store import open_store

DATE = "2026-11-28"
LUREWATCH = str(Path(sys.executable).parent / "lurewatch")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUREWATCH_", "AIRFLOW"))}
    env.update(extra)
    return env


def store_dump(env: dict[str, str]) -> list[dict[str, Any]]:
    settings = Settings.from_env({k: v for k, v in env.items() if k.startswith("LUREWATCH_")})
    store = open_store(settings)
    try:
        result = store.search(None, size=500, sort="-score")
        assert result.total == len(result.hits)
        return [h.record.to_dict() for h in result.hits]
    finally:
        store.close()


def run_day(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LUREWATCH, "run", "--date", DATE], env=env, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_run_a_day_twice_on_each_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    extra = {"LUREWATCH_DATA_DIR": str(tmp_path / "data"), "LUREWATCH_SOURCES": str(tmp_path / "sources.yaml")}
    if backend == "elasticsearch":
        extra["LUREWATCH_ES_URL"] = request.getfixturevalue("es_url")
        extra["LUREWATCH_ES_INDEX"] = request.getfixturevalue("es_index")
    env = clean_env(**extra)
    with FixtureServer(sites_root()) as srv:
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(demo_register(srv.base_url)), "utf-8")
        first = run_day(env)
        assert first.returncode == 0, first.stderr + first.stdout
        dump1 = store_dump(env)
        second = run_day(env)
        assert second.returncode == 0, second.stderr + second.stdout
        dump2 = store_dump(env)
    assert "items crawled 26 (26 new or changed, 0 removed)" in " ".join(first.stdout.split())
    assert len(dump1) == 26
    assert dump1 == dump2  # same ids, same capture, same scores: nothing duplicated
    flagged = [r for r in dump1 if r["flagged"]]
    assert 5 <= len(flagged) <= 15
    assert "Top flagged items" in first.stdout
    top = flagged[0]
    assert top["indicators"]
    assert top["entities"]
    for hit in top["indicators"]:
        assert (top[hit["field"]] or "")[hit["start"]:hit["end"]] == hit["evidence"]
    raw = tmp_path / "data" / "raw"
    assert sorted(p.name for p in raw.glob(f"*/{DATE}.jsonl")) == [f"{DATE}.jsonl"] * 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.airflow
def test_demo_runs_the_dag_and_reruns_change_nothing(tmp_path: Path) -> None:
    env = clean_env(LUREWATCH_DATA_DIR=str(tmp_path / "demo"), AIRFLOW_HOME=str(tmp_path / "airflow"))
    port = str(free_port())
    cmd = [LUREWATCH, "demo", "--date", DATE, "--port", port]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert first.returncode == 0, first.stderr[-3000:] + first.stdout[-3000:]
    out = " ".join(first.stdout.split())
    assert f"{DATE}: items crawled 26 (26 new or changed, 0 removed), items flagged" in out
    assert "Top flagged items" in out
    assert "indicators:" in out
    assert "lurewatch queue --date" in out
    dump1 = store_dump(env)
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert second.returncode == 0, second.stderr[-3000:]
    assert store_dump(env) == dump1
    queue = subprocess.run([LUREWATCH, "queue", "--date", DATE, "--json"], env=env,
                           capture_output=True, text=True, timeout=120, check=True)
    scores = [json.loads(line)["score"] for line in queue.stdout.splitlines()]
    assert scores
    assert scores == sorted(scores, reverse=True)
