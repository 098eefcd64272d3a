"""`lurewatch evaluate`, the confound check, the feedback loop from the store, and the fast
character n-gram vectorizer."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from models.dataset import Example
from models.evaluate import confound_check, in_holdout, split_holdout
from models.features import ModelInput, analyze_chars, ngram_text
from models.tfidf import FastTfidfVectorizer
from pipeline.cli import main
from pipeline.records import Record
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.store.sqlite import SQLiteStore

SEED = PROJECT_ROOT / "models" / "data" / "seed.jsonl"


def test_evaluate_writes_tables_pr_curve_and_confusion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval"
    assert main(["evaluate", "--data", str(SEED), "--out", str(out), "--folds", "3"]) == 0
    printed = capsys.readouterr().out
    assert "Cross-validation of the training recipe" in printed
    assert "Held-out sets" in printed
    assert "per language" in printed
    assert "confound check" in printed
    png = (out / "pr_curve.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 20_000
    confusion = (out / "confusion.md").read_text("utf-8")
    assert "| scam (label 1) |" in confusion
    assert "Held out, seed" in confusion
    report = json.loads((out / "report.json").read_text("utf-8"))
    cv = report["cross_validation"]
    assert set(cv["by_lang"]) >= {"en", "vi", "th", "zh", "id", "tl"}
    assert cv["overall"]["tp"] + cv["overall"]["fn"] == cv["overall"]["positives"]
    held = report["held_out"]
    assert held["overall"]["n"] + cv["overall"]["n"] == sum(1 for line in SEED.open() if line.strip())
    assert {"legit_flag_gap", "within_language", "over_language_only"} <= set(cv["confound"]["checks"])


def _examples(langs_labels: list[tuple[str, int]]) -> list[Example]:
    return [Example(f"x{i}", ModelInput(f"text {i}"), label, lang, "s", f"g{i}", "data")
            for i, (lang, label) in enumerate(langs_labels)]


def test_confound_check_catches_a_model_that_only_knows_the_language() -> None:
    # English: all scams; Thai: all legitimate — plus a few of each the other way round
    ex = _examples([("en", 1)] * 40 + [("en", 0)] * 10 + [("th", 0)] * 40 + [("th", 1)] * 10)
    p = np.array([0.9 if e.lang == "en" else 0.1 for e in ex])  # scores by language alone
    c = confound_check(ex, p, 0.5)
    assert not c["passed"]
    assert c["checks"]["legit_flag_gap"]["passed"] is False
    assert c["checks"]["legit_flag_gap"]["highest"] == "en"
    assert c["checks"]["within_language"]["passed"] is False
    assert c["checks"]["over_language_only"]["passed"] is False


def test_confound_check_passes_a_model_that_reads_the_posts() -> None:
    ex = _examples([("en", 1)] * 40 + [("en", 0)] * 10 + [("th", 0)] * 40 + [("th", 1)] * 10)
    rnd = np.random.default_rng(0)
    p = np.array([0.75 + 0.2 * rnd.random() if e.label else 0.05 + 0.3 * rnd.random() for e in ex])
    c = confound_check(ex, p, 0.5)
    assert c["passed"], c
    assert c["legit_by_lang"]["en"]["flag_rate"] == c["legit_by_lang"]["th"]["flag_rate"] == 0.0


def test_holdout_is_by_group_and_stable() -> None:
    ex = _examples([("en", i % 2) for i in range(400)])
    train, held = split_holdout(ex)
    assert 40 <= len(held) <= 120
    assert {e.group for e in train}.isdisjoint({e.group for e in held})
    assert all(in_holdout(e.group) for e in held)
    assert split_holdout(ex)[1] == held


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab cdé\t\nก中 1@.:/x"), max_size=60), min_size=3, max_size=12))
def test_fast_vectorizer_equals_char_wb(docs: list[str]) -> None:
    docs = [*docs, "abc abd ab", "xyz ab"]
    ref = TfidfVectorizer(preprocessor=ngram_text, analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                          dtype=np.float32).fit(docs)
    fast = FastTfidfVectorizer(analyzer=analyze_chars, sublinear_tf=True, dtype=np.float32).fit(docs)
    assert fast.vocabulary_ == ref.vocabulary_
    new = [d[::-1] for d in docs]
    assert abs(fast.transform(new) - ref.transform(new)).max() < 1e-6
    assert abs(fast.transform(new) - ref.transform(new)).max() < 1e-6  # warm cache too


def _record(row: dict[str, object]) -> Record:
    text = str(row["text"])
    url = f"https://jobs.example/{row['id']}"
    return Record.from_capture(source_id="jobs-example", source_kind="jobboard", url=url, text=text,
                               title=row.get("title"),  # type: ignore[arg-type]
                               body_sha256=hashlib.sha256(text.encode()).hexdigest(),
                               fetched_at="2026-11-28T08:00:00Z", partition="2026-11-28", lang=row["lang"])


def test_investigators_labels_become_training_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("LUREWATCH_DATA_DIR", str(data_dir))
    monkeypatch.delenv("LUREWATCH_ES_URL", raising=False)
    store = SQLiteStore(Settings.from_env().sqlite_path)
    store.setup()
    records = [_record(r) for r in rows[:120]]
    store.upsert(records)
    for rec, row in zip(records[:90], rows[:90], strict=True):  # 90 labelled, 30 not yet
        store.update_triage(rec.id, {"label": row["label"], "status": "actioned" if row["label"] else "dismissed"},
                            expected_version=0, actor="analyst-1")
    store.close()
    model = tmp_path / "clf.skops"
    assert main(["train", "--from-store", "--data", str(SEED), "-o", str(model), "--folds", "3"]) == 0
    exported = [json.loads(line) for line in (data_dir / "feedback" / "feedback.jsonl").read_text("utf-8").splitlines()]
    assert len(exported) == 90
    assert {r["source"] for r in exported} == {"store:jobs-example"}
    assert sorted(r["label"] for r in exported) == sorted(r["label"] for r in rows[:90])
    card = json.loads(model.with_suffix(".card.json").read_text("utf-8"))
    assert card["data"]["feedback.jsonl"]["rows"] == 90
    assert "feedback" in card["metrics"]["by_file"] or "feedback" in card["holdout"]["sets"]
