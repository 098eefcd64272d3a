from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from pipeline.retention import prune
from pipeline.settings import Settings


def make_settings(tmp_path: Path) -> Settings:
    register = tmp_path / "sources.yaml"
    register.write_text(yaml.safe_dump({"sources": [
        {"id": "board", "kind": "jobposting", "start_urls": ["https://a.example/"], "legal_basis": "public",
         "retention_days": 30}]}), "utf-8")
    return Settings.from_env({"LUREWATCH_DATA_DIR": str(tmp_path / "data"), "LUREWATCH_SOURCES": str(register)})


def touch(path: Path, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", "utf-8")
    path.chmod(mode)
    return path


def test_prune_deletes_only_captures_past_retention(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    old = [touch(s.raw_dir / "board" / "2026-09-01.jsonl"), touch(s.raw_dir / "board" / "2026-09-01.removed.jsonl"),
           touch(s.raw_dir / "board" / ".2026-09-01.stats.json"),
           touch(s.data_dir / "warc" / "board" / "2026-09-01" / "run.warc.gz", 0o444)]
    kept = [touch(s.raw_dir / "board" / "2026-11-20.jsonl"),
            touch(s.data_dir / "warc" / "board" / "2026-11-20" / "run.warc.gz", 0o444),
            touch(s.raw_dir / "retired-source" / "2020-01-01.jsonl")]
    dry = prune(s, dt.date(2026, 11, 29), dry_run=True)
    assert len(dry.deleted) == 4
    assert all(p.exists() for p in old + kept)
    report = prune(s, dt.date(2026, 11, 29))
    assert report.unknown_sources == ["retired-source"]
    assert not any(p.exists() for p in old)
    assert all(p.exists() for p in kept)
    assert not (s.data_dir / "warc" / "board" / "2026-09-01").exists()
