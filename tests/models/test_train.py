"""`lurewatch train` on the team-written seed set: grouped evaluation, model card, skops."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.dataset import DatasetError, load_examples, near_duplicate_key
from models.evaluate import choose_threshold
from models.features import ModelInput
from models.persist import ModelError, load_model
from pipeline.cli import main
from pipeline.settings import PROJECT_ROOT
from pipeline.signals import post_signals

SEED = PROJECT_ROOT / "models" / "data" / "seed.jsonl"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "clf.skops"
    assert main(["train", "--data", str(SEED), "-o", str(out), "--folds", "3"]) == 0
    return out


def test_train_writes_model_and_card(trained: Path) -> None:
    card = json.loads(trained.with_suffix(".card.json").read_text("utf-8"))
    assert 0.2 <= card["threshold"] <= 0.9
    assert "F1" in card["threshold_method"]
    assert card["data"]["seed.jsonl"]["rows"] >= 300
    assert len(card["data"]["seed.jsonl"]["sha256"]) == 64
    assert {"scikit-learn", "skops", "numpy"} <= set(card["versions"])
    assert set(card["metrics"]["by_lang"]) >= {"en", "vi", "th", "zh", "id", "tl"}
    overall = card["metrics"]["overall"]
    assert overall["n"] + card["holdout"]["sets"]["all"]["n"] == card["data"]["seed.jsonl"]["rows"]
    assert overall["pr_auc"] > 0.75
    md = trained.with_suffix(".card.md").read_text("utf-8")
    assert card["model_version"] in md
    assert "Per language" in md
    assert "Confound check" in md
    assert "Promotion gate" in md


def test_card_has_held_out_sets_confound_check_and_gate(trained: Path) -> None:
    card = json.loads(trained.with_suffix(".card.json").read_text("utf-8"))
    held = card["holdout"]["sets"]
    assert held["seed"]["n"] >= 40
    assert 0 < held["seed"]["positives"] < held["seed"]["n"]
    assert card["metrics"]["overall"]["n"] + held["all"]["n"] == card["data"]["seed.jsonl"]["rows"]
    confound = card["metrics"]["confound"]
    assert {"legit_flag_gap", "within_language", "over_language_only"} <= set(confound["checks"])
    assert {"en", "th", "vi"} <= set(confound["legit_by_lang"])
    assert card["gate"]["promote"] in (True, False)
    assert card["gate"]["reasons"]
    assert len(card["git_sha"]) in (7, 40) or card["git_sha"] == "unknown"


def test_model_loads_with_allowlist_and_ranks(trained: Path) -> None:
    model = load_model(trained)
    scam = "Tuyển gấp nhân viên CSKH đi Campuchia, việc nhẹ lương cao 1500$, bao ăn ở, vé máy bay miễn phí. Liên hệ Telegram @tuyendung_88"
    ordinary = "Kế toán tổng hợp tại Công ty TNHH Minh Phát, Quận 7, TP.HCM. Nộp hồ sơ qua website công ty."
    p, _ = model.score([ModelInput.of_signals(post_signals(None, t)) for t in (scam, ordinary)])
    assert p[0] > model.threshold > p[1]


def test_missing_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="lurewatch train"):
        load_model(tmp_path / "none.skops")


def test_bad_training_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "label": 1}\n{"text": "no label"}\n', "utf-8")
    with pytest.raises(DatasetError, match=r"bad.jsonl:2"):
        load_examples(bad)


def test_near_duplicates_share_a_group() -> None:
    a = "Data Entry Clerk - work from home! Earn $500/week. #URL_abc#"
    b = "DATA ENTRY CLERK — Work from home!! Earn $900/week #URL_def#"
    assert near_duplicate_key(a) == near_duplicate_key(b)


def test_threshold_maximises_f1() -> None:
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.45, 0.55, 0.9])
    assert 0.45 < choose_threshold(y, p) <= 0.55
