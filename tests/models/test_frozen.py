"""The frozen evaluation split (models/frozen.py) and `lurewatch evaluate --check-frozen`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.dataset import DatasetError, split_key
from models.evaluate import in_holdout
from models.frozen import (
    FROZEN_PERCENT,
    FrozenSplitError,
    build_manifest,
    check,
    hashed_key,
    in_frozen,
    read_keys,
    summarize,
)
from models.loso_report import run_loso_evaluation
from pipeline.cli import main

from .conftest import write_rows

#: Pinned: if the salt, the hash or the key changes, these move (and so would the manifest).
PINNED = {"raw:0": False, "raw:1": False, "raw:2": False, "raw:3": False, "raw:4": False,
          "raw:5": False, "raw:6": True, "raw:7": False, "raw:8": True, "raw:9": False}


def test_split_is_stable_and_independent_of_the_gate_holdout() -> None:
    assert {k: in_frozen(k) for k in PINNED} == PINNED
    keys = [f"raw:{i:05d}" for i in range(4000)]
    frozen = [k for k in keys if in_frozen(k)]
    assert abs(len(frozen) / len(keys) - FROZEN_PERCENT / 100) < 0.03
    both = sum(in_holdout(k) for k in frozen) / len(frozen)
    assert 0.15 < both < 0.25  # about 20 % of the frozen groups are also in the gate's hold-out
    assert hashed_key("raw:1") != hashed_key("raw:2")
    assert len(hashed_key("raw:1")) == 64


def test_split_key_is_the_raw_text_not_its_title_or_digits() -> None:
    a = {"title": "Carer", "text": "Care home in Leeds, call 0113 496 0000", "source": "s"}
    b = {"title": "Senior carer", "text": "Care home in Leeds, call 0113 496 9999", "source": "s"}
    assert split_key(a, "f") == split_key(b, "f")  # a repost under a new title, new number
    assert split_key({"text": "x", "group": "g1"}, "seed") == "seed:g1"
    assert split_key({**a, "text": "Cаre home in Leeds"}, "f") != split_key(a, "f")  # Cyrillic а: not normalized


def _rows(n: int, source: str) -> list[dict[str, object]]:
    return [{"id": f"{source}-{i}", "text": f"ad number {i} for {source} " + "word " * (i % 7) + chr(97 + i % 26) * 3,
             "label": i % 2, "source": source} for i in range(n)]


def test_manifest_pins_counts_and_groups(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "data.jsonl", _rows(200, "s1") + _rows(100, "s2"))
    m = build_manifest([data])
    s1 = m["files"]["data.jsonl"]["sources"]["s1"]
    keys = read_keys(data)
    frozen_rows = sum(in_frozen(k) for s, k in keys if s == "s1")
    assert s1["frozen"]["rows"] == frozen_rows
    assert s1["dev"]["rows"] == 200 - frozen_rows
    assert s1["frozen"]["groups"] <= s1["frozen"]["rows"]
    assert summarize(reversed(keys)) == m["files"]["data.jsonl"]["sources"]  # order does not matter
    assert check([data], m) == []
    assert "adnumber" not in json.dumps(m)
    assert "raw:" not in json.dumps(m)
    with pytest.raises(DatasetError, match="development data"):
        build_manifest([write_rows(tmp_path / "seed.jsonl", _rows(5, "seed"))])


def _changed(tmp_path: Path) -> tuple[Path, Path]:
    rows = _rows(200, "s1")
    data = write_rows(tmp_path / "data.jsonl", rows)
    manifest = tmp_path / "frozen-split.json"
    manifest.write_text(json.dumps(build_manifest([data])), "utf-8")
    frozen_ids = [r["id"] for r in rows if in_frozen(split_key(r, "data"))]
    moved = [{**r, "text": f"rewritten text {r['id']}"} if r["id"] == frozen_ids[0] else r for r in rows]
    write_rows(data, moved)
    return data, manifest


def test_check_names_a_changed_file(tmp_path: Path) -> None:
    data, manifest = _changed(tmp_path)
    problems = check([data], json.loads(manifest.read_text("utf-8")))
    assert any("the data changed" in p for p in problems)
    assert any("source s1" in p for p in problems)
    assert check([tmp_path / "data.jsonl"], {"rule": {}, "files": {}})[-1] == "data.jsonl: not in the frozen-split manifest"


def test_cli_check_frozen_fails_on_a_changed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_rows(tmp_path / "ok.jsonl", _rows(50, "s"))
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps(build_manifest([data])), "utf-8")
    assert main(["evaluate", "--check-frozen", str(data), "--manifest", str(manifest)]) == 0
    assert "the frozen split holds" in capsys.readouterr().out
    (tmp_path / "x").mkdir()
    changed, manifest2 = _changed(tmp_path / "x")
    assert main(["evaluate", "--check-frozen", str(changed), "--manifest", str(manifest2)]) == 1
    assert "does not hold" in capsys.readouterr().out
    assert main(["evaluate", "--check-frozen", str(tmp_path / "nope.jsonl"), "--manifest", str(manifest)]) == 1
    assert main(["evaluate", "--check-frozen", str(data), "--manifest", str(tmp_path / "none.json")]) == 2


def test_loso_refuses_data_that_no_longer_splits_as_pinned(tmp_path: Path, sources: dict[str, Path]) -> None:
    data, manifest = _changed(tmp_path)
    with pytest.raises(FrozenSplitError, match="no longer splits"):
        run_loso_evaluation([data, sources["seed"]], tmp_path / "out", threshold=0.5, split="dev",
                            manifest=manifest, progress=lambda _m: None)
    assert not (tmp_path / "out").exists()
