"""Stage 2: score. Applies the classifier (``settings.model_path``) and sets ``score``
(probability of deceptive recruitment or scam, 0..1), ``flagged`` (score at or above the
model card's threshold, or ``settings.threshold``) and ``model_version``.

The model reads what the signals stage put on the record (``norm_text``, ``indicators``,
``entities``: :meth:`models.features.ModelInput.of_record`); nothing is found again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from models.features import ModelInput
from models.persist import load_model
from pipeline.records import Record
from pipeline.settings import Settings

VERSION = "score.v2"
BATCH = 256


def score(records: Iterable[Record], *, settings: Settings) -> Iterator[Record]:
    model = load_model(settings.model_path)
    threshold = settings.threshold if settings.threshold is not None else model.threshold
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        probs, _ = model.score([ModelInput.of_record(r) for r in batch])
        for record, p in zip(batch, probs, strict=True):
            record.score = p
            record.flagged = p >= threshold
            record.model_version = model.version
            record.stages["score"] = VERSION
            yield record
