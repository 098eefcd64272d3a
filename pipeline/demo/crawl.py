"""Run one crawl of a (demo) source in a subprocess and read back what it wrote.

``python -m spiders.run`` runs in its own process because Twisted's reactor cannot restart;
this is the wrapper the spider tests use. Unlike :func:`pipeline.crawl.run_spider`, which
raises on failure, it returns the exit status and stderr so tests can assert on failed runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.settings import PROJECT_ROOT

#: Politeness delays off: only for the local fixture server (the defaults wait seconds per page).
NO_DELAY = ("--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_START_DELAY=0")


@dataclass
class CrawlResult:
    """Exit status, stderr, the output path, the run's stats (``--stats-out``) and records."""

    returncode: int
    stderr: str
    out: Path
    stats: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def run_crawl(
    kind: str,
    urls: list[str],
    out: Path,
    *extra: str,
    source_id: str = "demo",
    partition: str,
    allow_private: bool = True,
    no_delay: bool = True,
    env: dict[str, str] | None = None,
    timeout: float = 600.0,
) -> CrawlResult:
    """Run ``python -m spiders.run`` once; ``extra`` are more arguments (``--max-pages 1``)."""
    stats_out = out.with_name(out.name + ".stats.json")
    cmd = [
        sys.executable,
        "-m",
        "spiders.run",
        "--kind",
        kind,
        "--source-id",
        source_id,
        "--partition",
        partition,
        "--out",
        str(out),
        "--stats-out",
        str(stats_out),
        "--log-level",
        "WARNING",
        *(NO_DELAY if no_delay else ()),
        *extra,
    ]
    for url in urls:
        cmd += ["--url", url]
    if allow_private:
        cmd.append("--allow-private")
    run_env = {k: v for k, v in os.environ.items() if k != "LUREWATCH_ALLOW_PRIVATE"}
    run_env.update(env or {})
    proc = subprocess.run(
        cmd,
        cwd=PROJECT_ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    stats = json.loads(stats_out.read_text("utf-8")) if stats_out.exists() else {}
    records = read_jsonl(out) if out.exists() else []
    return CrawlResult(proc.returncode, proc.stderr, out, stats, records)
