"""Two crawls of one source never overlap, whoever starts them: `lurewatch crawl` in another
process and the in-process call an Airflow crawl task makes (pipeline.tasks.crawl_one), over
real HTTP to the demo sites on 127.0.0.1. Other sources crawl meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from pipeline.crawl import CrawlResult, SourceBusy, crawl_source, find_source
from pipeline.demo import demo_register, sites_root
from pipeline.demo.server import FixtureServer
from pipeline.settings import Settings

DAY = "2026-11-28"
LUREWATCH = str(Path(sys.executable).parent / "lurewatch")
AIRFLOW_HOLDER = "Airflow DAG crawl_demo-jobboard, run manual__2026-11-28"


def wait_for_holder(lock: Path, timeout: float = 60.0) -> str:
    """The lock file's holder line, once the first crawl has written it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = lock.read_text("utf-8") if lock.exists() else ""
        if text.strip():
            return text.strip()
        time.sleep(0.05)
    raise AssertionError(f"no crawl took {lock} within {timeout}s")


def test_a_second_crawl_of_a_source_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with FixtureServer(sites_root()) as srv:
        register = demo_register(srv.base_url)
        register["sources"][0]["delay"] = 1  # the job board crawl takes ~15 s: time to overlap
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(register), "utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LUREWATCH_")}
        env.update(LUREWATCH_DATA_DIR=str(tmp_path / "data"), LUREWATCH_SOURCES=str(tmp_path / "sources.yaml"))
        settings = Settings.from_env(env)
        lock = settings.data_dir / "state" / "demo-jobboard.lock"
        jobboard, telegram = (find_source(settings, sid) for sid in ("demo-jobboard", "demo-telegram-vieclam"))

        # 1. `lurewatch crawl` holds the source; the Airflow task's call is refused at once.
        cli = subprocess.Popen([LUREWATCH, "crawl", "demo-jobboard", "--date", DAY], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        holder = wait_for_holder(lock)
        assert holder.startswith(f"pid {cli.pid} on ")
        assert f", partition {DAY}, since " in holder
        assert holder.endswith(f", started by: lurewatch crawl demo-jobboard --date {DAY}")
        started = time.monotonic()
        with pytest.raises(SourceBusy) as busy:
            crawl_source(jobboard, DAY, settings, holder=AIRFLOW_HOLDER)
        assert time.monotonic() - started < 1  # refused, not queued
        assert str(busy.value).startswith(f"demo-jobboard: another crawl of this source is running ({holder}); "
                                          "wait for it to finish, then run this again")
        # another source is not held up by it
        assert crawl_source(telegram, DAY, settings).items == 14
        assert cli.poll() is None  # the job board crawl was still running all along
        _, stderr = cli.communicate(timeout=300)
        assert cli.returncode == 0, stderr
        assert lock.read_text("utf-8") == ""  # released, and the holder line cleared

        # 2. The Airflow task's crawl holds it; `lurewatch crawl` is refused with exit 2.
        results: list[CrawlResult] = []
        task = threading.Thread(target=lambda: results.append(
            crawl_source(jobboard, DAY, settings, holder=AIRFLOW_HOLDER)))
        task.start()
        try:
            holder = wait_for_holder(lock)
            refused = subprocess.run([LUREWATCH, "crawl", "demo-jobboard", "--date", DAY], env=env,
                                     capture_output=True, text=True, timeout=120, check=False)
        finally:
            task.join(timeout=300)
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert "error: demo-jobboard: another crawl of this source is running" in message
    assert f"started by: {AIRFLOW_HOLDER}" in message
    assert str(lock) in message
    (result,) = results
    assert result.items == 12
    raw = settings.raw_partition("demo-jobboard", DAY)
    assert len(raw.read_text("utf-8").splitlines()) == 12  # the refused crawls wrote nothing over it
