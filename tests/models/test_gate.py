"""The promotion gate: unit rules, and `lurewatch train` keeping or replacing the model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from models.evaluate import in_holdout
from models.gate import decide
from pipeline.cli import main
from pipeline.settings import PROJECT_ROOT

SEED = PROJECT_ROOT / "models" / "data" / "seed.jsonl"


def m(pr_auc: float | None, f1: float, *, n: int = 50, positives: int = 20, flag_rate: float = 0.3,
      recall: float = 0.8) -> dict[str, float | int]:
    out: dict[str, float | int] = {"n": n, "positives": positives, "f1": f1, "flag_rate": flag_rate,
                                   "recall": recall}
    if pr_auc is not None:
        out["pr_auc"] = pr_auc
    return out


PASS = {"checks": {"legit_flag_gap": {"passed": True}, "within_language": {"passed": True}}}
FAIL_GAP = {"checks": {"legit_flag_gap": {"passed": False}, "within_language": {"passed": True}}}


def test_no_current_model_promotes() -> None:
    d = decide(None, {"seed": m(0.8, 0.7)}, FAIL_GAP)
    assert d.promote
    assert "no current model" in d.reasons[0]


def test_equal_or_better_everywhere_promotes() -> None:
    d = decide({"seed": m(0.90, 0.80), "jobs": m(0.70, 0.60)},
               {"seed": m(0.9004, 0.85), "jobs": m(0.71, 0.60)}, PASS)
    assert d.promote
    assert d.reasons[0].startswith("at least as good")
    assert {r["set"] for r in d.table} == {"seed", "jobs"}


def test_worse_on_one_set_keeps_current_and_says_why() -> None:
    d = decide({"seed": m(0.90, 0.80), "jobs": m(0.70, 0.60)},
               {"seed": m(0.95, 0.85), "jobs": m(0.65, 0.61)}, PASS)
    assert not d.promote
    assert d.reasons == ["jobs: pr_auc 0.650 is below the current model's 0.700"]


def test_legitimate_only_set_compares_flag_rate() -> None:
    cur = {"legit": m(None, 0.0, positives=0, flag_rate=0.05)}
    assert decide(cur, {"legit": m(None, 0.0, positives=0, flag_rate=0.05)}, PASS).promote
    d = decide(cur, {"legit": m(None, 0.0, positives=0, flag_rate=0.10)}, PASS)
    assert not d.promote
    assert "flag_rate 0.100 is above" in d.reasons[0]


def test_failing_a_confound_check_the_current_model_passes_keeps_it() -> None:
    d = decide({"seed": m(0.90, 0.80)}, {"seed": m(0.99, 0.99)}, FAIL_GAP, PASS)
    assert not d.promote
    assert d.reasons == ["confound check legit_flag_gap: the current model passes it, the candidate fails it"]
    assert decide({"seed": m(0.90, 0.80)}, {"seed": m(0.99, 0.99)}, FAIL_GAP, FAIL_GAP).promote


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gate") / "clf.skops"
    assert main(["train", "--data", str(SEED), "-o", str(out), "--folds", "3", "--force"]) == 0
    return out


def test_a_worse_candidate_is_kept_out_then_forced_in(model_dir: Path, tmp_path: Path) -> None:
    before = json.loads(model_dir.with_suffix(".card.json").read_text("utf-8"))["model_version"]
    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    rnd = random.Random(3)
    for row in rows:  # 40 % of the training labels wrong; the held-out rows stay right
        if not in_holdout(f"seed:{row['group']}") and rnd.random() < 0.4:
            row["label"] = 1 - row["label"]
    noisy = tmp_path / "seed.jsonl"  # same file name: the same evaluation set
    noisy.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")

    assert main(["train", "--data", str(noisy), "-o", str(model_dir), "--folds", "3"]) == 0
    card = json.loads(model_dir.with_suffix(".card.json").read_text("utf-8"))
    assert card["model_version"] == before, "the gate must keep the current model"
    cand = json.loads(model_dir.with_name("clf.candidate.card.json").read_text("utf-8"))
    assert cand["gate"]["promote"] is False
    assert cand["gate"]["compared_with"] == before
    assert any("below" in r or "confound" in r for r in cand["gate"]["reasons"])

    assert main(["train", "--data", str(noisy), "-o", str(model_dir), "--folds", "3", "--force"]) == 0
    card = json.loads(model_dir.with_suffix(".card.json").read_text("utf-8"))
    assert card["model_version"] == cand["model_version"] or card["model_version"] != before
    assert card["gate"]["forced"] is True
    previous = json.loads(model_dir.with_name("clf.previous.card.json").read_text("utf-8"))
    assert previous["model_version"] == before
