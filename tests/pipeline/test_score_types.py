"""Scoring runs only the extractors whose identifiers the model reads; nothing it reads changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.features import ENTITY_TYPES, ModelInput
from pipeline.extractors import COMPONENTS, FINDS, components_for
from pipeline.extractors.find import find_entities
from pipeline.signals import post_signals

SEED = Path(__file__).resolve().parents[2] / "models" / "data" / "seed.jsonl"


def test_components_for_stops_after_the_last_needed_component() -> None:
    assert components_for(ENTITY_TYPES) == COMPONENTS.index("lurewatch_phones_v1") + 1
    assert components_for(["location"]) == len(COMPONENTS)
    assert components_for(["url"]) == 1
    assert components_for([]) == 0
    assert set().union(*FINDS.values()) >= set(ENTITY_TYPES)
    assert list(FINDS) == list(COMPONENTS)


@pytest.mark.parametrize("field", ["text", "title"])
def test_identifiers_the_model_reads_are_those_of_the_full_pipeline(field: str) -> None:
    """On every seed post: the restricted run finds exactly the full run's identifiers of the
    model's types (same values, same places), and the signals the model reads agree."""
    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    produced = {t for c in COMPONENTS[:components_for(ENTITY_TYPES)] for t in FINDS[c]}
    checked = 0
    for row in rows:
        text = row.get(field)
        if not text:
            continue
        full = [f.as_tuple() for f in find_entities(text, row.get("lang"))]
        part = [f.as_tuple() for f in find_entities(text, row.get("lang"), types=ENTITY_TYPES)]
        assert part == [f for f in full if f[0] in produced]
        checked += 1
    assert checked > 50


def test_signals_count_only_model_types() -> None:
    text = "Salary 1500 USD, age 18-30, work in Sihanoukville. Telegram: @hr_fastjob, call +855 12 345 678"
    found = ModelInput.of_signals(post_signals(None, text, lang="en"))
    assert sorted(found.entity_types) == ["phone", "telegram"]
    full = {f.type for f in find_entities(text, "en")}
    assert {"money", "age", "location"} <= full


def test_score_output_is_the_same_with_every_identifier() -> None:
    from pipeline.scoring import score_posts
    from pipeline.settings import Settings

    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()][:80]
    posts = [{"id": r["id"], "title": r.get("title"), "text": r["text"]} for r in rows]
    settings = Settings.from_env()
    assert list(score_posts(posts, settings)) == list(score_posts(posts, settings, every_identifier=True))
