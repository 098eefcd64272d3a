"""``lurewatch score``: score posts from a JSON-lines file, offline.

Input: :mod:`pipeline.posts`. Output: one line per input, same order, with ``id``, ``score``
(0..1, higher = more likely deceptive recruitment or scam), ``flagged`` (at the shipped
threshold), ``indicators`` (``{id, start, end, field}``; offsets into ``text``, or into
``title`` when ``field`` is ``title``), ``model_version`` and ``explanation``: ``summary``
(one sentence) and ``top``, the largest contributions to the score, each ``{kind, feature,
contribution, text, evidence?}`` with ``kind`` one of indicator, identifier, phrase, style,
length (see :mod:`models.explain`). Needs neither Airflow nor Elasticsearch. Uses
``LUREWATCH_WORKERS`` processes (default one per core) for inputs of 256 posts or more.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from models.explain import explain_rows, summary
from models.features import ENTITY_TYPES, ModelInput
from models.persist import load_model
from pipeline.jsonl import write_jsonl
from pipeline.pool import ordered_map
from pipeline.posts import read_posts_from, signals_of
from pipeline.records import IndicatorHit
from pipeline.settings import Settings

#: posts per chunk, and the fewest posts worth starting worker processes for
CHUNK = 128
MIN_POOLED = 256


def evidence_of(hits: list[IndicatorHit]) -> dict[str, list[str]]:
    """Indicator id → the distinct evidence strings of its weighted hits (for explanations)."""
    ev: dict[str, list[str]] = {}
    for h in hits:
        if h.weight and h.evidence not in ev.setdefault(h.id, []):
            ev[h.id].append(" ".join(h.evidence.split()))
    return ev


def _score_chunk(settings: Settings, top: int, types: tuple[str, ...] | None,
                 batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Output lines of one chunk of posts (see module doc)."""
    model = load_model(settings.model_path)
    threshold = settings.threshold if settings.threshold is not None else model.threshold
    found = [signals_of(p, types, need_lang=False) for p in batch]
    probs, features = model.score([ModelInput.of_signals(s) for s in found])
    explained = explain_rows(model.pipeline, features, [evidence_of(s.indicators) for s in found], top=top)
    out = []
    for post, sig, prob, items in zip(batch, found, probs, explained, strict=True):
        flagged = prob >= threshold
        out.append({"id": post["id"], "score": prob, "flagged": flagged,
                    "indicators": [{"id": h.id, "start": h.start, "end": h.end, "field": h.field}
                                   for h in sig.indicators],
                    "explanation": {"summary": summary(prob, flagged, items), "top": [c.to_dict() for c in items]},
                    "model_version": model.version})
    return out


def score_posts(posts: list[dict[str, Any]], settings: Settings, *, top: int = 5,
                every_identifier: bool = False) -> Iterator[dict[str, Any]]:
    """Score ``posts`` (see module doc), in ``settings.workers`` processes for long inputs
    (:func:`pipeline.pool.ordered_map`). Only the identifier types the model reads are looked
    for, unless ``every_identifier`` (as the daily pipeline does; same output)."""
    load_model(settings.model_path)  # before forking: the workers start with it in memory
    types = None if every_identifier else ENTITY_TYPES
    return ordered_map(partial(_score_chunk, settings, top, types), posts, workers=settings.workers,
                       chunk=CHUNK, min_items=MIN_POOLED)


def score_file(src: Path | str, out: Path, settings: Settings) -> int:
    """Score ``src`` (a path or ``-`` for stdin) into ``out`` atomically; returns the count."""
    return write_jsonl(out, score_posts(read_posts_from(src), settings))
