"""`lurewatch crawl`: register sources by id, and the ad-hoc form, over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pipeline.demo import demo_register, sites_root
from pipeline.demo.server import FixtureServer

LUREWATCH = str(Path(sys.executable).parent / "lurewatch")


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    with FixtureServer(sites_root()) as srv:
        yield srv


def lw(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LUREWATCH_")}
    base.update(LUREWATCH_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([LUREWATCH, *args], env=base, capture_output=True, text=True, timeout=300,
                          check=False)


def test_crawl_one_register_source_by_id(site: FixtureServer, tmp_path: Path) -> None:
    register = tmp_path / "sources.yaml"
    register.write_text(yaml.safe_dump(demo_register(site.base_url)), "utf-8")
    proc = lw(["crawl", "demo-telegram-vieclam", "--date", "2026-11-28"], tmp_path,
              LUREWATCH_SOURCES=str(register))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "data" / "raw" / "demo-telegram-vieclam" / "2026-11-28.jsonl"
    assert len(out.read_text("utf-8").splitlines()) == 14
    assert not (tmp_path / "data" / "raw" / "demo-jobboard").exists()


def test_adhoc_crawl_writes_records_with_sha256(site: FixtureServer, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = lw(["crawl", "--kind", "telegram", "--url", site.url("/s/vieclam_nuocngoai_24h"), "-o", str(out),
               "--allow-private", "--max-pages", "1"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 8  # the newest page only
    for row in rows:
        assert {"id", "url", "text", "published_at", "sha256"} <= set(row)
        assert len(row["sha256"]) == 64


def test_adhoc_refuses_loopback_without_allow_private(site: FixtureServer, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = lw(["crawl", "--kind", "jobposting", "--url", site.url("/jobboard/index.html"), "-o", str(out)],
              tmp_path, LUREWATCH_ALLOW_PRIVATE="1")  # the environment is not an explicit opt-in
    assert proc.returncode == 2
    assert "--allow-private" in proc.stderr
    assert not out.exists()


def test_unknown_source_id_says_where_to_add_it(tmp_path: Path) -> None:
    register = tmp_path / "sources.yaml"
    register.write_text("sources: []\n", "utf-8")
    proc = lw(["crawl", "nope", "--date", "2026-11-28"], tmp_path, LUREWATCH_SOURCES=str(register))
    assert proc.returncode == 2
    assert "no source 'nope'" in proc.stderr
