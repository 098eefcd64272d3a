"""The store protocol: what every backend (SQLite, Elasticsearch) must do.

Both backends pass the same contract tests (tests/store/test_contract.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pipeline.records import Record
from pipeline.store.lifecycle import RemovalEntry


class StoreError(RuntimeError):
    """The store cannot be reached or refused an operation; the message says what to do."""


class ConflictError(StoreError):
    """A triage update lost a race: the record's triage version is not the expected one."""


class NotFoundError(StoreError):
    """No record has that id."""


class DeadLetterError(StoreError):
    """Some records could not be written after retries; they are in the dead-letter file and
    the message gives the ``lurewatch index --replay`` command that sends them again."""

    def __init__(self, message: str, *, path: Any = None, failed: int = 0) -> None:
        super().__init__(message)
        self.path = path
        self.failed = failed


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0


@dataclass
class Hit:
    record: Record
    highlight: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


#: Fields an upsert may change on a record that already exists. Capture fields are
#: immutable (same id ⇒ same capture) and ``triage`` belongs to investigators.
DERIVED_FIELDS = ("lang", "lang_source", "region", "norm_text", "entities", "indicators", "score", "flagged",
                  "model_version", "stages", "lifecycle")

#: Fields that may be used in ``filters`` and ``facets``. ``country`` is derived at index time
#: (:func:`pipeline.store.derived.countries`); list fields match if any item matches.
FILTER_FIELDS = ("source_id", "source_kind", "partition", "flagged", "lang", "country",
                 "triage.status", "triage.label", "triage.assignee", "triage.tags",
                 "indicators.id", "entities.value", "entities.type", "lifecycle.status")

#: Range filters: name → (field, side). Dates are ISO 8601 (a bare date as ``*_to`` means the
#: whole day); bounds are inclusive.
RANGE_FILTERS = {
    "score_gte": ("score", "gte"), "score_lte": ("score", "lte"),
    "fetched_from": ("fetched_at", "gte"), "fetched_to": ("fetched_at", "lte"),
    "published_from": ("published_at", "gte"), "published_to": ("published_at", "lte"),
}


@runtime_checkable
class Store(Protocol):
    def setup(self) -> None:
        """Create tables / index and mappings if missing. Idempotent."""

    def upsert(self, records: Iterable[Record]) -> UpsertResult:
        """Insert new records; on existing ids update only DERIVED_FIELDS (first capture
        and triage are kept; a removed record stays removed unless the upserted record was
        captured after its removal). Durable when it returns."""

    def mark_removed(self, entries: Iterable[RemovalEntry]) -> int:
        """Set ``lifecycle`` = removed (``removed_at``, ``removal_reason``) on live records
        matched by id or canonical URL and captured at or before ``removed_at``; never
        deletes, keeps a first removal, idempotent. Returns how many records changed. A
        later upsert revives a removed record only if captured after ``removed_at``
        (rules: pipeline/store/lifecycle.py)."""

    def get(self, record_id: str) -> Record:
        """The record with that id; raises NotFoundError."""

    def count(self, filters: dict[str, Any] | None = None) -> int: ...

    def search(
        self,
        query: str | None = None,
        *,
        filters: dict[str, Any] | None = None,
        facets: Iterable[str] = (),
        sort: str = "-score",
        size: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Full-text ``query`` over title and text (None = all; any text is safe: it is never
        parsed as syntax), ``filters`` as {field: value or list of values} over FILTER_FIELDS
        plus RANGE_FILTERS bounds, ``facets`` counts per value of FILTER_FIELDS, ``sort`` a
        field name with optional leading ``-`` (score, fetched_at, published_at), ties broken
        by id. Highlights mark matched words with <mark>. ``offset + size`` is at most
        10,000; use :meth:`scan` to read everything."""

    def scan(self, query: str | None = None, *, filters: dict[str, Any] | None = None,
             sort: str = "-score") -> Iterator[Record]:
        """Every record matching ``query`` and ``filters`` in ``sort`` order, read page by page
        (Elasticsearch: point in time + search_after; SQLite: keyset), consistent under
        concurrent writes on Elasticsearch."""

    def pivot(self, entity_value: str, entity_type: str | None = None, *,
              size: int = 1000) -> SearchResult:
        """Every post (up to ``size``) sharing the identifier ``entity_value`` (of
        ``entity_type`` if given), first seen first, with facets by source and country."""

    def queue(self, *, partition: str | None = None, size: int = 50) -> list[Record]:
        """Flagged records, highest score first (ties by id)."""

    def update_triage(
        self, record_id: str, changes: dict[str, Any], *, expected_version: int, actor: str
    ) -> Record:
        """Apply triage ``changes`` (status, label, assignee, note, tags) if the record's triage
        version equals ``expected_version``; bump the version, stamp updated_at/by, append an
        audit entry. Raises ConflictError or NotFoundError."""

    def audit(self, record_id: str) -> list[dict[str, Any]]:
        """Triage history of a record, oldest first."""

    def close(self) -> None: ...
