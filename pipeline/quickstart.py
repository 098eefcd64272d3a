"""``lurewatch demo``: the main job on the embedded default, end to end.

Serves the bundled demo sources (a job board and a public Telegram channel preview) on
127.0.0.1, writes a register pointing at them and runs the DAGs of ``dags/lurewatch.py`` for
one date with ``airflow dags test`` (real Airflow, SQLite metadata database under
``AIRFLOW_HOME``): each source's crawl DAG (``crawl_<id>``), then ``process_raw`` for what
they wrote, which processes and indexes into the embedded SQLite store; then reports.

Under a scheduler (``airflow standalone``) the crawls' asset events trigger ``process_raw``;
``airflow dags test`` runs one DAG and schedules nothing, so the demo starts ``process_raw``
itself with the conf a manual run takes (the partition and the sources crawled).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from pipeline.demo import demo_register, sites_root
from pipeline.demo.server import FixtureServer
from pipeline.settings import PROJECT_ROOT, Settings


class DemoError(RuntimeError):
    """The demo run failed; the message says where the full log is."""


def airflow_env(settings: Settings, sources_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    home = Path(env.get("AIRFLOW_HOME") or PROJECT_ROOT / ".airflow")
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "LUREWATCH_SOURCES": str(sources_file),
        "LUREWATCH_DATA_DIR": str(settings.data_dir),
        "LUREWATCH_ALLOW_PRIVATE": "1",
        "XDG_STATE_HOME": str(settings.data_dir / "state"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    })
    return env


def _airflow(args: list[str], env: dict[str, str], log: Path, what: str) -> None:
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"\n$ airflow {' '.join(args)}\n")
        fh.flush()
        proc = subprocess.run([str(Path(sys.executable).parent / "airflow"), *args], env=env,
                              stdout=fh, stderr=subprocess.STDOUT, check=False, timeout=1800)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text("utf-8", errors="replace").splitlines()[-25:])
        raise DemoError(f"{what} failed (exit {proc.returncode}); full log: {log}\n{tail}")


#: The demo serves its sources on a fixed port: job-ad ids derive from the fetched URL, so
#: the same port on every run keeps re-runs free of duplicates.
DEMO_PORT = 8765


def run_demo(settings: Settings, date: str, status: object = None, port: int = DEMO_PORT) -> Path:
    """Run the DAG for ``date`` over the demo sources; returns the log path."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    log = log_dir / f"demo-{date}.log"
    log.write_text("", "utf-8")
    sources_file = settings.data_dir / "demo-sources.yaml"
    try:
        server = FixtureServer(sites_root(), port=port).start()
    except OSError as exc:
        raise DemoError(f"cannot serve the demo sources on 127.0.0.1:{port} ({exc.strerror}); "
                        "stop what uses that port or run `lurewatch demo --port N`") from exc
    try:
        register = demo_register(server.base_url)
        sources_file.write_text(yaml.safe_dump(register, sort_keys=False), "utf-8")
        env = airflow_env(settings, sources_file)
        _step(status, "airflow db migrate (metadata database)")
        _airflow(["db", "migrate"], env, log, "airflow db migrate")
        crawled = [str(entry["id"]) for entry in register["sources"]]
        for source_id in crawled:
            _step(status, f"airflow dags test crawl_{source_id} {date} (Scrapy → raw/{source_id}/{date}.jsonl)")
            _airflow(["dags", "test", f"crawl_{source_id}", date], env, log, f"the crawl_{source_id} run")
        conf = json.dumps({"partition": date, "sources": crawled})
        _step(status, f"airflow dags test process_raw {date} (stages → store)")
        _airflow(["dags", "test", "process_raw", date, "--conf", conf], env, log, "the process_raw run")
    finally:
        server.stop()
    return log


def _step(status: object, text: str) -> None:
    update = getattr(status, "update", None)
    if update is not None:
        update(text)
