"""The `lurewatch score` contract, run as a user would (subprocess), with the shipped model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

POSTS = [
    {"id": "scam-vi", "text": "Tuyển gấp 20 bạn CSKH đi Campuchia (Bavet), việc nhẹ lương cao 1200$/tháng, "
     "bao ăn ở, vé máy bay miễn phí, không cần kinh nghiệm. Ib Telegram @tuyen_gap_cskh", "lang": "vi"},
    {"id": 7, "title": "Senior Accountant", "text": "Siam Ledger Co., Ltd. is hiring a senior accountant "
     "for our Bangkok office. CPA preferred. Apply through our careers page.", "url": "https://x.example/1"},
    {"id": "scam-en", "title": "Customer Service – Sihanoukville",
     "text": "High salary $1500 for easy typing job. Free air ticket, visa arranged, free accommodation. "
     "Age 18-30. No experience needed. Contact Telegram @asia_hr_team only."},
    {"id": "empty", "text": ""},
]


def run_score(args: list[str], tmp_path: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUREWATCH_", "AIRFLOW"))}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "score", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_score_contract(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), "utf-8")
    proc = run_score([str(src), "-o", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [p["id"] for p in POSTS]
    card = json.loads((PROJECT_ROOT / "models/artifacts/lurewatch-clf.card.json").read_text("utf-8"))
    for post, row in zip(POSTS, rows, strict=True):
        assert 0.0 <= row["score"] <= 1.0
        assert row["flagged"] is (row["score"] >= card["threshold"])
        assert row["model_version"] == card["model_version"]
        for hit in row["indicators"]:
            field = post[hit["field"]]
            assert 0 <= hit["start"] < hit["end"] <= len(field)
    by_id = {r["id"]: r for r in rows}
    assert by_id["scam-vi"]["flagged"]
    assert by_id["scam-en"]["flagged"]
    assert not by_id[7]["flagged"]
    assert by_id["scam-vi"]["score"] > by_id[7]["score"]
    evidence = {POSTS[0]["text"][h["start"]:h["end"]] for h in by_id["scam-vi"]["indicators"]}
    assert "Campuchia" in evidence
    assert "vé máy bay miễn phí" in evidence
    assert any(h["field"] == "title" for h in by_id["scam-en"]["indicators"])


def test_score_explains_each_score_in_words(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), "utf-8")
    assert run_score([str(src), "-o", str(out)], tmp_path).returncode == 0
    by_id = {r["id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    scam = by_id["scam-vi"]["explanation"]
    assert scam["summary"].startswith(f"score {by_id['scam-vi']['score']:.2f} (flagged); raised most by")
    top = scam["top"]
    assert 1 <= len(top) <= 5
    assert [abs(c["contribution"]) for c in top] == sorted((abs(c["contribution"]) for c in top), reverse=True)
    assert {c["kind"] for c in top} <= {"indicator", "identifier", "phrase", "style", "length"}
    indicators = [c for c in top if c["kind"] == "indicator"]
    assert indicators, top
    for c in indicators:  # an indicator is explained with its label and the words that fired it
        assert c["contribution"] > 0
        assert c["text"].startswith(c["feature"] + " ")
        assert all(e in POSTS[0]["text"] for e in c["evidence"])
    ordinary = by_id[7]["explanation"]
    assert "(not flagged)" in ordinary["summary"]
    assert sum(c["contribution"] for c in ordinary["top"]) < 0


def test_score_reads_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = run_score(["-", "-o", str(out)], tmp_path, stdin=json.dumps(POSTS[0]) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text("utf-8"))["id"] == "scam-vi"


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": 1, "text": "ok"}\n{not json}\n', "in.jsonl:2: not JSON"),
    ('{"id": 1}\n', "in.jsonl:1: needs an object with 'id' and a string 'text'"),
    ('{"text": "no id"}\n', "in.jsonl:1"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path: Path, content: str, message: str) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(content, "utf-8")
    proc = run_score([str(src), "-o", str(out)], tmp_path)
    assert proc.returncode == 2
    assert message in " ".join(proc.stderr.split())
    assert not out.exists()


def test_score_needs_neither_airflow_nor_elasticsearch(tmp_path: Path) -> None:
    code = ("import sys, json; from pipeline.settings import Settings; "
            "from pipeline.scoring import score_posts; "
            "rows = list(score_posts([{'id': 1, 'text': 'hello'}], Settings.from_env())); "
            "assert rows[0]['id'] == 1; "
            "print(json.dumps(sorted(m for m in ('airflow', 'elasticsearch', 'scrapy') if m in sys.modules)))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUREWATCH_", "AIRFLOW"))}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
