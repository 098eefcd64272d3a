"""`lurewatch index / search / pivot / triage` on both backends (real store, real node)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.cli import main

from .conftest import make_record


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def env(request: pytest.FixtureRequest, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LUREWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LUREWATCH_ES_URL", raising=False)
    if request.param == "elasticsearch":
        monkeypatch.setenv("LUREWATCH_ES_URL", request.getfixturevalue("es_url"))
        monkeypatch.setenv("LUREWATCH_ES_INDEX", request.getfixturevalue("es_index"))
        monkeypatch.setenv("LUREWATCH_ES_RETRIES", "1")
        monkeypatch.setenv("LUREWATCH_ES_BACKOFF", "0.05")
    return {}


def test_index_search_pivot_triage(env: dict[str, str], tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_record("https://x.example/a", "Visa paid, contact @hr_xg", score=0.9, flagged=True,
                    entities=(("telegram", "@hr_xg"),))
    b = make_record("https://x.example/b", "Warehouse job", score=0.1, flagged=False,
                    entities=(("telegram", "@hr_xg"),), source_id="other")
    src = tmp_path / "records.jsonl"
    src.write_text("\n".join(r.to_json() for r in (a, b)) + "\n", "utf-8")
    assert main(["index", str(src)]) == 0
    assert main(["index", str(src)]) == 0  # idempotent
    capsys.readouterr()
    assert main(["search", "visa", "--json", "--filter", "flagged=true", "--facet", "source_id"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["record"]["id"] for x in lines[:-1]] == [a.id]
    assert "<mark>Visa</mark>" in lines[0]["highlight"][0]
    assert lines[-1] == {"total": 1, "facets": {"source_id": {"jobsite-uk": 1}}}
    assert main(["pivot", "@hr_xg", "--json"]) == 0
    pivot = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {x["record"]["id"] for x in pivot[:-1]} == {a.id, b.id}
    assert pivot[-1]["facets"]["source_id"] == {"jobsite-uk": 1, "other": 1}
    assert main(["triage", a.id, "--status", "escalated", "--tag", "kh", "--label", "1", "--actor", "ana"]) == 0
    assert main(["triage", a.id, "--note", "late", "--actor", "bo", "--expected-version", "0"]) == 3
    err = capsys.readouterr().err
    assert "conflict" in err
    assert "Nothing was changed" in err
    assert main(["search", "--json", "--filter", "triage.tags=kh", "--filter", "triage.label=1"]) == 0
    assert [json.loads(x)["record"]["triage"]["status"] for x in capsys.readouterr().out.splitlines()] == ["escalated"]
    assert main(["search", '"((AND *:*', "--json"]) == 0  # hostile text is fine


def test_bad_filter_is_a_usage_error(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--filter", "text=visa"]) == 2
    assert "use one of" in capsys.readouterr().err


@pytest.mark.elasticsearch
def test_failed_index_names_the_dead_letter_and_replay_command(
    es_url: str, es_index: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LUREWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LUREWATCH_ES_URL", es_url)
    monkeypatch.setenv("LUREWATCH_ES_INDEX", es_index)
    monkeypatch.setenv("LUREWATCH_ES_MAX_DOC_BYTES", "3000")
    big = make_record("https://x.example/big", "visa " * 1000)
    src = tmp_path / "big.jsonl"
    src.write_text(big.to_json() + "\n", "utf-8")
    assert main(["index", str(src)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "document_too_large" in err
    assert "deadletter" in err
    assert "lurewatch index --replay" in err
    monkeypatch.setenv("LUREWATCH_ES_MAX_DOC_BYTES", "5000000")
    assert main(["index", "--replay"]) == 0
    assert "replayed 1 records" in " ".join(capsys.readouterr().err.split())
    assert main(["index", "--rollover", "--force"]) == 0
