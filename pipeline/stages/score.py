"""Stage 4: score. Applies the shipped classifier (``settings.model_path``) and sets
``score`` (probability of deceptive recruitment or scam, 0..1), ``flagged`` (score at or
above the model card's threshold, or ``settings.threshold``) and ``model_version``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from models.persist import Model, load_model
from pipeline.features import model_text
from pipeline.records import Record
from pipeline.settings import Settings

VERSION = "score.v1"
BATCH = 256


def score_texts(model: Model, texts: list[str]) -> list[float]:
    """Probabilities for already-built model texts (see pipeline.features.model_text)."""
    if not texts:
        return []
    return [round(float(p), 6) for p in model.pipeline.predict_proba(texts)[:, 1]]


def score(records: Iterable[Record], *, settings: Settings) -> Iterator[Record]:
    model = load_model(settings.model_path)
    threshold = settings.threshold if settings.threshold is not None else model.threshold
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        probs = score_texts(model, [model_text(r.title, r.text) for r in batch])
        for record, p in zip(batch, probs, strict=True):
            record.score = p
            record.flagged = p >= threshold
            record.model_version = model.version
            record.stages["score"] = VERSION
            yield record
