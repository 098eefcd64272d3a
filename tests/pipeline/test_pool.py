"""The process stage and `lurewatch score` in several worker processes give exactly what one
process gives, in the same order, and fall back to one process where workers cannot or need
not start."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pipeline.records import Record
from pipeline.run import MIN_POOLED, enrich, process_partition
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.store.sqlite import SQLiteStore

SEED = PROJECT_ROOT / "models" / "data" / "seed.jsonl"
DAY = "2026-12-01"


def _records(n: int) -> list[Record]:
    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    return [Record.from_capture(source_id="seed", source_kind="jobposting", url=f"https://jobs.example/{i}",
                                text=rows[i % len(rows)]["text"], title=rows[i % len(rows)].get("title"),
                                body_sha256="0" * 64, fetched_at=f"{DAY}T06:00:00Z", partition=DAY,
                                lang=rows[i % len(rows)].get("lang") if i % 3 else None)
            for i in range(n)]


def _settings(tmp_path: Path, workers: int) -> Settings:
    return dataclasses.replace(Settings.from_env({"LUREWATCH_DATA_DIR": str(tmp_path)}), workers=workers)


def test_two_workers_give_what_one_gives_in_order(tmp_path: Path) -> None:
    records = _records(MIN_POOLED + 300)
    one = list(enrich([dataclasses.replace(r) for r in records], _settings(tmp_path, 1)))
    two = list(enrich([dataclasses.replace(r) for r in records], _settings(tmp_path, 2)))
    assert [r.to_dict() for r in two] == [r.to_dict() for r in one]
    assert {r.lang_source for r in one} == {"spider", "detected"}
    assert all(r.score is not None for r in one)


@pytest.mark.parametrize("n", [0, 1, MIN_POOLED - 1])
def test_small_batches_stay_in_this_process(tmp_path: Path, n: int) -> None:
    out = list(enrich(_records(n), _settings(tmp_path, 2)))
    assert len(out) == n


def test_process_partition_with_workers_indexes_every_record_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 2)
    raw = settings.raw_partition("seed", DAY)
    raw.parent.mkdir(parents=True)
    records = _records(MIN_POOLED + 50)
    raw.write_text("".join(r.to_json() + "\n" for r in records), "utf-8")
    summary = process_partition(DAY, settings)
    assert (summary.read, summary.indexed, summary.created) == (len(records), len(records), len(records))
    again = process_partition(DAY, settings)
    assert (again.read, again.created) == (len(records), 0)
    store = SQLiteStore(settings.sqlite_path)
    store.setup()
    try:
        assert store.count({}) == len(records)
        assert store.get(records[7].id).score is not None
    finally:
        store.close()


def test_lurewatch_score_in_two_workers_writes_what_one_writes(tmp_path: Path) -> None:
    from pipeline.scoring import score_posts

    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    posts = [{"id": i, "title": r.get("title"), "text": r["text"]} for i, r in enumerate(rows)]
    assert len(posts) >= MIN_POOLED
    one = list(score_posts(posts, _settings(tmp_path, 1)))
    two = list(score_posts(posts, _settings(tmp_path, 2)))
    assert one == two
    assert [o["id"] for o in two] == list(range(len(posts)))
