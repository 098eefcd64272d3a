"""Stage 4: score. Applies the shipped classifier (``settings.model_path``) and sets
``score`` (probability of deceptive recruitment or scam, 0..1), ``flagged`` (score at or
above the model card's threshold, or ``settings.threshold``) and ``model_version``.

The model reads the indicator hits and identifiers the earlier stages put on the record
(:func:`pipeline.features.record_signals`); they are not found a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from models.persist import Model, load_model
from pipeline.features import ModelText, model_input, record_signals
from pipeline.records import Record
from pipeline.settings import Settings

VERSION = "score.v2"
BATCH = 256


def score_inputs(model: Model, inputs: Sequence[str]) -> tuple[list[float], Any]:
    """Probabilities for model inputs (:func:`pipeline.features.model_input`) and the
    feature matrix they were computed from (for :mod:`models.explain`)."""
    if not inputs:
        return [], None
    features = model.pipeline.named_steps["features"].transform(list(inputs))
    probs = model.pipeline.named_steps["clf"].predict_proba(features)[:, 1]
    return [round(float(p), 6) for p in probs], features


def score_texts(model: Model, texts: Sequence[str]) -> list[float]:
    """Probabilities for model inputs (plain strings have their signals computed)."""
    return score_inputs(model, texts)[0]


def _input(record: Record) -> ModelText:
    if "indicators" in record.stages and "extract" in record.stages:
        return model_input(record.title, record.text, signals=record_signals(record))
    return model_input(record.title, record.text, lang=record.lang)


def score(records: Iterable[Record], *, settings: Settings) -> Iterator[Record]:
    model = load_model(settings.model_path)
    threshold = settings.threshold if settings.threshold is not None else model.threshold
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        probs = score_texts(model, [_input(r) for r in batch])
        for record, p in zip(batch, probs, strict=True):
            record.score = p
            record.flagged = p >= threshold
            record.model_version = model.version
            record.stages["score"] = VERSION
            yield record
