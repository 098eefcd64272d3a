"""The `lurewatch extract` contract, run as a user would (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.extractors import ENTITY_TYPES

POSTS = [
    {"id": "vi", "lang": "vi", "text": "Tuyển CSKH đi Campuchia, lương 25–35 triệu/tháng, tuổi từ 18 đến 30. "
     "Zalo: ０９１２\u200b３４５ ６７８, Telegram @Tuyen_Gap"},
    {"id": 7, "text": "Send USDT to TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t, mail HR [at] gmail [dot] com, bit.ly/3xYz"},
    {"id": "empty", "text": "", "lang": "en"},
]


def run_extract(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUREWATCH_", "AIRFLOW"))}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_extract_contract(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), "utf-8")
    proc = run_extract([str(src), "-o", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [p["id"] for p in POSTS]
    assert rows[0]["lang"] == "vi"
    assert isinstance(rows[1]["lang"], str)
    assert rows[1]["lang"]
    for post, row in zip(POSTS, rows, strict=True):
        assert set(row) == {"id", "lang", "lang_source", "entities", "indicators"}
        assert row["lang_source"] == ("label" if post.get("lang") else "detected")
        for e in row["entities"]:
            assert e["type"] in ENTITY_TYPES
            assert e["field"] == "text"
            assert 0 <= e["start"] < e["end"] <= len(post["text"])
        for h in row["indicators"]:
            assert set(h) == {"id", "start", "end", "weight", "field"}
            assert 0 <= h["start"] < h["end"] <= len(post[h["field"]])
    got = {(e["type"], e["value"], POSTS[0]["text"][e["start"]:e["end"]]) for e in rows[0]["entities"]}
    assert ("phone", "+84912345678", "０９１２\u200b３４５ ６７８") in got
    assert ("zalo", "+84912345678", "０９１２\u200b３４５ ６７８") in got
    assert ("telegram", "tuyen_gap", "@Tuyen_Gap") in got
    assert ("age", "18-30", "tuổi từ 18 đến 30") in got
    money = next(e for e in rows[0]["entities"] if e["type"] == "money")
    assert (money["currency"], money["period"], money["low"], money["high"]) == ("VND", "month", 25e6, 35e6)
    assert any(h["id"] == "LOC-03" for h in rows[0]["indicators"])
    second = {(e["type"], e["value"]) for e in rows[1]["entities"]}
    assert {("crypto_wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), ("email", "hr@gmail.com"),
            ("url", "bit.ly/3xYz")} <= second
    assert next(e for e in rows[1]["entities"] if e["type"] == "url")["shortener"] is True
    assert rows[2]["entities"] == []
    assert rows[2]["indicators"] == []


def test_extract_reads_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = run_extract(["-", "-o", str(out)], tmp_path, stdin=json.dumps({"id": 1, "text": "@abc_def"}) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text("utf-8"))["entities"][0]["value"] == "abc_def"


def test_bad_line_names_the_line_and_writes_nothing(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', "utf-8")
    proc = run_extract([str(src), "-o", str(out)], tmp_path)
    assert proc.returncode == 2
    assert "in.jsonl:2" in proc.stderr
    assert "not JSON" in proc.stderr
    assert not out.exists()


def test_missing_text_is_an_error(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"id": 1}\n', "utf-8")
    proc = run_extract([str(src), "-o", str(out)], tmp_path)
    assert proc.returncode == 2
    assert "in.jsonl:1" in proc.stderr
    assert not out.exists()
