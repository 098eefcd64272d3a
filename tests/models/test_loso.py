"""Leave-one-source-out evaluation (models/loso.py, models/loso_report.py) and
`lurewatch evaluate --loso`, with real training of a small recipe on synthetic sources."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.dataset import near_duplicate_key
from models.frozen import frozen_mask
from models.loso import Scored, make_folds, near_duplicate_keys, per_source, run_folds
from models.loso_report import read_scores
from models.plots import reliability, source_bars
from models.prevalence import threshold_for_precision
from models.train import load_data
from pipeline.cli import main
from pipeline.settings import PROJECT_ROOT

from .conftest import MARKER, write_rows

PNG = b"\x89PNG\r\n\x1a\n"


def _load(sources: dict[str, Path]) -> tuple[list, np.ndarray]:
    examples, weights, _ = load_data([sources["jobs"], sources["messages"], sources["seed"]], 3.0, lambda _m: None)
    return examples, weights


def test_folds_never_train_on_the_held_out_source_or_its_near_duplicates(sources: dict[str, Path]) -> None:
    examples, _ = _load(sources)
    folds = make_folds(examples, "all", dev_folds=4)
    real = [f for f in folds if not f.development]
    assert [f.name for f in real] == ["board-a", "board-b", "chat-y", "scam-x"]
    assert sum(f.development for f in folds) == 4
    for f in real:
        held_keys = set().union(*(near_duplicate_keys(examples[i]) for i in np.flatnonzero(
            [e.source == f.name for e in examples])))
        assert {examples[i].source for i in f.test} == {f.name}
        assert all(examples[i].source != f.name for i in f.train)
        assert all(not near_duplicate_keys(examples[i]) & held_keys for i in f.train)
        assert len(f.test) == sum(e.source == f.name for e in examples)
    board_a = next(f for f in real if f.name == "board-a")
    dup = next(i for i, e in enumerate(examples) if e.id == "b-dup")
    assert dup not in board_a.train  # board-b's copy of a board-a ad
    assert dup in next(f for f in real if f.name == "scam-x").train
    seed_rows = {i for i, e in enumerate(examples) if e.origin == "seed"}
    assert seed_rows <= set(board_a.train)  # development data is always trained on ...
    dev_tested = [i for f in folds if f.development for i in f.test]
    assert sorted(dev_tested) == sorted(seed_rows)  # ... and scored out of fold, each row once
    for f in folds:
        if f.development:
            groups = {examples[i].group for i in f.test}
            assert not any(examples[i].group in groups for i in f.train)


def test_dev_and_frozen_folds_train_on_the_development_part_only(sources: dict[str, Path]) -> None:
    examples, _ = _load(sources)
    frozen = frozen_mask(examples)
    assert 0 < frozen.sum() < len(examples)
    assert not any(frozen[i] for i, e in enumerate(examples) if e.origin == "seed")
    for part in ("dev", "frozen"):
        for f in make_folds(examples, part, dev_folds=4):
            assert not frozen[f.train].any()
            if not f.development:
                assert frozen[f.test].all() if part == "frozen" else not frozen[f.test].any()


def test_the_fitted_model_never_saw_the_held_out_source(sources: dict[str, Path]) -> None:
    examples, weights = _load(sources)
    folds = [f for f in make_folds(examples, "all", dev_folds=2) if f.name in ("board-a", "scam-x")]
    results = run_folds(examples, weights, folds, threshold=0.5, max_features=2000, n_jobs=1,
                        progress=lambda _m: None, keep_models=True)
    vocab = {name: set(r.model.named_steps["features"].transformer_list[0][1].vocabulary_)
             for name, r in zip(("board-a", "scam-x"), results, strict=True)}
    assert not any(MARKER in term for term in vocab["board-a"])  # not even through b-dup
    assert any(MARKER in term for term in vocab["scam-x"])
    for r in results:
        assert len(r.scores) == len(r.fold.test)
        assert r.threshold == 0.5


def test_threshold_per_fold_comes_from_the_training_side_only(sources: dict[str, Path], tmp_path: Path) -> None:
    examples, weights = _load(sources)
    fold = next(f for f in make_folds(examples, "all") if f.name == "chat-y")
    first = run_folds(examples, weights, [fold], threshold=None, max_features=2000, n_jobs=1,
                      progress=lambda _m: None)[0]
    assert 0.2 <= first.threshold <= 0.9
    # flip every label of the held-out source: the fold's threshold must not move
    rows = [json.loads(line) for line in Path(sources["messages"]).read_text("utf-8").splitlines()]
    flipped = write_rows(tmp_path / "messages.jsonl", [{**r, "label": 1 - r["label"]} for r in rows])
    ex2, w2, _ = load_data([sources["jobs"], flipped, sources["seed"]], 3.0, lambda _m: None)
    fold2 = next(f for f in make_folds(ex2, "all") if f.name == "chat-y")
    second = run_folds(ex2, w2, [fold2], threshold=None, max_features=2000, n_jobs=1, progress=lambda _m: None)[0]
    assert second.threshold == first.threshold
    np.testing.assert_allclose(second.scores, first.scores)


def test_per_source_rates_with_wilson_intervals(sources: dict[str, Path]) -> None:
    examples, weights = _load(sources)
    folds = make_folds(examples, "all", dev_folds=2)
    scored = Scored.of(examples, run_folds(examples, weights, folds, threshold=0.5, max_features=2000, n_jobs=1,
                                           progress=lambda _m: None))
    rows = {(r["source"], r["development"]): r for r in per_source(scored, min_rows=45)}
    assert set(rows) == {("board-a", False), ("board-b", False), ("chat-y", False), ("scam-x", False),
                         ("seed", True)}
    a, x, y = rows[("board-a", False)], rows[("scam-x", False)], rows[("chat-y", False)]
    assert (a["n"], a["scam"], a["legit"], a["recall"], a["pr_auc"]) == (60, 0, 60, None, None)
    flagged = int(scored.flag[(scored.source == "board-a")].sum())
    assert a["fpr"] == round(flagged / 60, 4)
    assert a["fpr_ci"][0] <= a["fpr"] <= a["fpr_ci"][1]
    assert x["recall"] is not None
    assert x["fpr"] is None
    assert x["recall_ci"][1] <= 1.0
    assert y["scam"] == y["legit"] == 40
    assert y["pr_auc"] is not None
    assert y["small"] == ["scam", "legit"]
    assert a["small"] == []
    assert rows[("seed", True)]["n"] == 40


def test_plots_are_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    p = np.clip(0.3 * y + 0.7 * rng.random(300), 0, 1)
    png = reliability(tmp_path / "r.png", y, p, "test").read_bytes()
    assert png.startswith(PNG)
    assert len(png) > 10_000
    rows = [{"source": "a", "development": False, "scam": 40, "legit": 0, "recall": 0.5, "recall_ci": [0.35, 0.65],
             "fpr": None, "fpr_ci": None, "small": []},
            {"source": "b", "development": False, "scam": 0, "legit": 12, "recall": None, "recall_ci": None,
             "fpr": 0.25, "fpr_ci": [0.09, 0.53], "small": ["legit"]},
            {"source": "seed", "development": True, "scam": 5, "legit": 5, "recall": 1.0, "recall_ci": [0.57, 1.0],
             "fpr": 0.0, "fpr_ci": [0.0, 0.43], "small": ["scam", "legit"]}]
    png = source_bars(tmp_path / "s.png", rows, "test").read_bytes()
    assert png.startswith(PNG)
    assert len(png) > 10_000


def test_evaluate_loso_end_to_end(sources: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                  ) -> None:
    out = tmp_path / "loso"
    model = PROJECT_ROOT / "models" / "artifacts" / "lurewatch-clf.skops"
    argv = ["evaluate", "--loso", "--split", "all", "--model", str(model), "--max-features", "2000", "--jobs", "2",
            "--out", str(out), "--manifest", str(tmp_path / "none.json")]
    for path in sources.values():
        argv += ["--data", str(path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "Leave-one-source-out, split all, threshold 0.35" in printed
    assert "Queue precision at 1.0% prevalence" in printed
    assert "Development data" in printed
    report = json.loads((out / "loso.json").read_text("utf-8"))
    assert report["threshold"] == 0.35
    assert report["split"] == "all"
    assert [r["source"] for r in report["sources"]] == ["board-a", "board-b", "chat-y", "scam-x"]
    assert [r["source"] for r in report["development"]] == ["seed"]
    head = report["headline"]
    assert head["scam_sources"] == ["chat-y", "scam-x"]
    assert head["legit_sources"] == ["board-a", "board-b", "chat-y"]
    assert head["precision_ci"][0] <= head["precision"] <= head["precision_ci"][1]
    assert [b["prevalence"] for b in head["by_prevalence"]] == [0.001, 0.01, 0.05]
    md = (out / "loso.md").read_text("utf-8")
    assert "## Headline" in md
    assert "![reliability diagram](reliability.png)" in md
    assert "| board-a | jobs |" in md
    for name in ("reliability.png", "sources.png"):
        assert (out / name).read_bytes().startswith(PNG)
    scores = read_scores(out / "loso-scores.jsonl")
    assert [len(y) for y, _ in scores] == [60, 61, 80, 60]
    point = threshold_for_precision(scores, target=0.5, prevalence=0.05)
    if point is not None:
        assert point.precision >= 0.5
    assert near_duplicate_key("x") != ""


def test_fits_see_rows_shuffled_because_the_recipe_calibrates_in_row_order(tmp_path: Path) -> None:
    # three sources with disjoint vocabularies, in file order, and a held-out mix of all three
    rng = np.random.default_rng(3)

    def word(letters: str) -> str:
        return "".join(rng.choice(list(letters + "aeiou"), 6))

    vocab = {k: ([word(a) for _ in range(30)], [word(a) for _ in range(30)]) for k, a in enumerate(
        ("bcdfg", "hjklm", "npqrs"))}
    rows = [{"id": f"{k}-{y}-{i}", "text": " ".join(rng.choice(vocab[k][y], 20)), "label": y, "source": f"s{k}"}
            for k in range(3) for y in (1, 0) for i in range(40)]
    rows += [{"id": f"m-{i}", "text": " ".join(w for k in range(3) for w in rng.choice(vocab[k][i % 2], 7)),
              "label": i % 2, "source": "mix"} for i in range(60)]
    examples, weights, _ = load_data([write_rows(tmp_path / "x.jsonl", rows)], 3.0, lambda _m: None)
    fold = next(f for f in make_folds(examples, "all") if f.name == "mix")
    spread = {}
    for shuffle in (True, False):
        r = run_folds(examples, weights, [fold], threshold=0.5, max_features=2000, n_jobs=1,
                      progress=lambda _m: None, shuffle=shuffle)[0]
        lo, hi = np.percentile(r.scores, [5, 95])
        spread[shuffle] = hi - lo
    assert spread[True] > 0.9
    # in file order each calibration fold holds a source its classifier never saw: the
    # probabilities flatten towards the base rate (if this fails, the recipe no longer
    # depends on row order and the shuffle in models.loso can go)
    assert spread[False] < 0.5
