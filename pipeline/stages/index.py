"""Stage 5: index. Upserts records into the store in batches (idempotent: the record id is
deterministic, and an upsert keeps first capture and triage)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from pipeline.records import Record
from pipeline.store.base import Store, UpsertResult

BATCH = 500


def index(records: Iterable[Record], *, store: Store, totals: UpsertResult | None = None) -> Iterator[Record]:
    """Upsert ``records`` into ``store``, yielding each once it is durable; adds the
    counts to ``totals`` when given."""
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        result = store.upsert(batch)
        if totals is not None:
            totals.created += result.created
            totals.updated += result.updated
        yield from batch
