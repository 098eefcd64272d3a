"""Investigators' labels as training data (``lurewatch train --from-store``).

Every record in the review store whose triage carries a true/false label (1 = deceptive
recruitment or scam, 0 = not) becomes a training row. The rows are written to one JSON-lines
file (``<data>/feedback/feedback.jsonl``, replaced atomically each time) so the model card
can fingerprint exactly what the model was trained on; its held-out fifth becomes the
``feedback`` evaluation set of the promotion gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.jsonl import write_jsonl
from pipeline.store.base import Store


def labelled_rows(store: Store) -> Iterator[dict[str, Any]]:
    for r in store.scan(filters={"triage.label": [0, 1]}, sort="fetched_at"):
        label = r.triage.label
        if label not in (0, 1):
            continue
        # the language and region the pipeline used, so training computes the same signals
        yield {"id": r.id, "title": r.title, "text": r.text, "label": int(label),
               "lang": r.lang or "und", "region": r.region, "source": f"store:{r.source_id}"}


def export_labels(store: Store, path: Path) -> int:
    """Write every labelled record of ``store`` to ``path``; returns the count."""
    return write_jsonl(path, labelled_rows(store))
