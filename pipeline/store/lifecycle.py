"""Takedown lifecycle rules shared by the store backends (``Store.mark_removed`` and the
lifecycle part of ``Store.upsert``).

* A removal (:class:`RemovalEntry`, one line of a spider's ``<partition>.removed.jsonl``)
  applies to the records with its ``id`` or its ``canonical_url`` that are live and were
  captured at or before ``removed_at`` (a newer version of the post, captured after the
  evidence, is not touched). Records are never deleted; an already removed record keeps its
  first removal. Applying the same entries twice changes nothing.
* An upsert never resurrects: a removed record becomes live again only when the upserted
  record was captured *after* ``removed_at`` (the post was seen live again). Re-running an
  older day, whose records were captured before the removal, leaves it removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

REMOVED = "removed"


@dataclass(frozen=True)
class RemovalEntry:
    """Evidence that a post is gone: which post (``id`` and/or ``canonical_url``), when the
    evidence was fetched (``removed_at``, ISO 8601) and why (``reason``, e.g. ``http 410``)."""

    removed_at: str
    reason: str
    id: str | None = None
    canonical_url: str | None = None

    def __post_init__(self) -> None:
        if not (self.id or self.canonical_url):
            raise ValueError("a removal names the record: give id or canonical_url")
        if not self.reason:
            raise ValueError("a removal needs a reason (e.g. 'http 410')")
        try:
            parse_time(self.removed_at)
        except ValueError as exc:
            raise ValueError(f"removed_at={self.removed_at!r} is not an ISO 8601 time") from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RemovalEntry:
        """From a removal line (extra keys such as ``url`` or ``warc_record_id`` are kept
        in the file, not in the store); raises ValueError or KeyError if incomplete."""
        return cls(removed_at=str(data["removed_at"]), reason=str(data["reason"]),
                   id=data.get("id") or None, canonical_url=data.get("canonical_url") or None)

    def matches(self, doc: dict[str, Any]) -> bool:
        return doc.get("id") == self.id or (
            self.canonical_url is not None and doc.get("canonical_url") == self.canonical_url
        )

    def lifecycle(self) -> dict[str, Any]:
        return {"status": REMOVED, "removed_at": self.removed_at, "removal_reason": self.reason}


def parse_time(value: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime (naive means UTC); raises ValueError."""
    when = datetime.fromisoformat(value)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def applies(entry: RemovalEntry, doc: dict[str, Any]) -> bool:
    """Whether ``entry`` removes the stored record ``doc`` (see module docstring)."""
    if not entry.matches(doc):
        return False
    if (doc.get("lifecycle") or {}).get("status") == REMOVED:
        return False
    return parse_time(doc["fetched_at"]) <= parse_time(entry.removed_at)


def upsert_lifecycle(stored: dict[str, Any] | None, incoming: dict[str, Any]) -> dict[str, Any]:
    """The lifecycle an upsert of record dict ``incoming`` leaves on a record whose stored
    lifecycle is ``stored``: removed stays removed unless ``incoming`` was captured after
    the removal."""
    new = dict(incoming["lifecycle"])
    if not stored or stored.get("status") != REMOVED or new.get("status") == REMOVED:
        return new
    removed_at = stored.get("removed_at")
    if removed_at and parse_time(incoming["fetched_at"]) > parse_time(removed_at):
        return new
    return dict(stored)
