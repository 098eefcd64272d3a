"""Helpers for spider tests: run ``python -m spiders.run`` in a subprocess (Twisted's reactor
cannot restart in-process) and read back records and stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.settings import PROJECT_ROOT

PARTITION = "2026-11-28"
JOBBOARD = "/jobboard/index.html"
CHANNEL = "/s/vieclam_nuocngoai_24h"
#: Politeness delays off for the local fixture server (the defaults wait seconds per page).
FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_START_DELAY=0"]


@dataclass
class CrawlResult:
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
    source_id: str = "test-source",
    partition: str = PARTITION,
    allow_private: bool = True,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """Run one crawl in a subprocess and read back its records and stats."""
    stats_out = out.with_suffix(".stats.json")
    cmd = [sys.executable, "-m", "spiders.run", "--kind", kind, "--source-id", source_id,
           "--partition", partition, "--out", str(out), "--stats-out", str(stats_out),
           "--log-level", "WARNING", *FAST, *extra]
    for url in urls:
        cmd += ["--url", url]
    if allow_private:
        cmd.append("--allow-private")
    run_env = {k: v for k, v in os.environ.items() if k != "LUREWATCH_ALLOW_PRIVATE"}
    run_env.update(env or {})
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=run_env, capture_output=True, text=True,
                          timeout=120, check=False)
    stats = json.loads(stats_out.read_text("utf-8")) if stats_out.exists() else {}
    records = read_jsonl(out) if out.exists() else []
    return CrawlResult(proc.returncode, proc.stderr, out, stats, records)
