"""``python -m spiders.run`` as a process: determinism, atomic output, failures, politeness."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.demo import JOBBOARD_PATH, TELEGRAM_PATH, sites_root
from pipeline.demo.crawl import CrawlResult, read_jsonl, run_crawl
from pipeline.demo.server import FixtureServer
from pipeline.settings import PROJECT_ROOT

PARTITION = "2026-11-28"


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_ids_are_deterministic_across_runs(
    fixture_site: FixtureServer,
    jobboard_crawl: CrawlResult,
    telegram_crawl: CrawlResult,
    tmp_path: Path,
) -> None:
    again = run_crawl(
        "jobposting",
        [fixture_site.url(JOBBOARD_PATH)],
        tmp_path / "jb.jsonl",
        source_id="demo-jobboard",
        partition=PARTITION,
    )
    assert again.returncode == 0, again.stderr
    assert sorted(r["id"] for r in again.records) == sorted(r["id"] for r in jobboard_crawl.records)
    tg = run_crawl(
        "telegram",
        [fixture_site.url(TELEGRAM_PATH)],
        tmp_path / "tg.jsonl",
        "--lang",
        "vi",
        source_id="demo-telegram",
        partition=PARTITION,
    )
    assert [r["id"] for r in tg.records] == [r["id"] for r in telegram_crawl.records]
    # same bytes served → same body hashes; only fetched_at differs
    assert [r["body_sha256"] for r in tg.records] == [
        r["body_sha256"] for r in telegram_crawl.records
    ]


def test_output_is_replaced_whole_and_no_temp_file_remains(
    fixture_site: FixtureServer, tmp_path: Path
) -> None:
    out = tmp_path / "2026-11-28.jsonl"
    out.write_text('{"stale": "partition"}\n' * 100, "utf-8")
    res = run_crawl("telegram", [fixture_site.url(TELEGRAM_PATH)], out, partition=PARTITION)
    assert res.returncode == 0, res.stderr
    assert "stale" not in out.read_text("utf-8")
    assert len(read_jsonl(out)) == 14
    assert leftovers(tmp_path) == []
    assert out.stat().st_mode & 0o044  # not left at mkstemp's 0600


def test_failed_start_url_exits_nonzero_and_keeps_previous_output(
    fixture_site: FixtureServer, tmp_path: Path
) -> None:
    out = tmp_path / "2026-11-28.jsonl"
    out.write_text('{"previous": "partition"}\n', "utf-8")
    res = run_crawl("telegram", [fixture_site.url("/s/no_such_channel")], out, partition=PARTITION)
    assert res.returncode == 1
    assert "FAILED: no records from start URL" in res.stderr
    assert "/s/no_such_channel" in res.stderr
    assert "HTTP 404" in res.stderr
    assert out.read_text("utf-8") == '{"previous": "partition"}\n'
    assert leftovers(tmp_path) == []
    assert res.stats["ok"] is False
    assert res.stats["errors"] == 1


def test_one_dead_start_url_fails_the_run(fixture_site: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(
        "jobposting",
        [fixture_site.url(JOBBOARD_PATH), fixture_site.url("/gone/index.html")],
        tmp_path / "out.jsonl",
        partition=PARTITION,
    )
    assert res.returncode == 1
    assert res.stats["records_by_start_url"] == {
        fixture_site.url(JOBBOARD_PATH): 12,
        fixture_site.url("/gone/index.html"): 0,
    }


def test_loopback_refused_unless_allowed(fixture_site: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(
        "telegram",
        [fixture_site.url(TELEGRAM_PATH)],
        tmp_path / "out.jsonl",
        allow_private=False,
        partition=PARTITION,
    )
    assert res.returncode == 1
    assert "refusing private/loopback address" in res.stderr
    assert res.records == []


def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    root = tmp_path / "sites"
    shutil.copytree(sites_root(), root)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /jobboard/jobs/\n", "utf-8")
    with FixtureServer(root) as srv:
        res = run_crawl(
            "jobposting", [srv.url(JOBBOARD_PATH)], tmp_path / "out.jsonl", partition=PARTITION
        )
    assert res.returncode == 1  # listing pages allowed, every job page forbidden
    assert res.stats["counters"]["robotstxt/forbidden"] == 13
    assert res.stats["pages"] == 2
    assert res.records == []


def test_nothing_written_to_home(fixture_site: FixtureServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
    }
    res = run_crawl(
        "telegram",
        [fixture_site.url(TELEGRAM_PATH)],
        tmp_path / "out.jsonl",
        env=env,
        partition=PARTITION,
    )
    assert res.returncode == 0, res.stderr
    assert list(home.rglob("*")) == []


def test_invalid_arguments_exit_2_with_a_message(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "spiders.run",
        "--kind",
        "telegram",
        "--source-id",
        "x",
        "--url",
        "https://t.me/s/somechannel",
        "--partition",
        "2026-13-45",
        "--out",
        str(tmp_path / "o.jsonl"),
    ]
    proc = subprocess.run(
        cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2
    assert "partition='2026-13-45' is not a YYYY-MM-DD date" in proc.stderr
    assert not (tmp_path / "o.jsonl").exists()
