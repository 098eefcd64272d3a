"""Triage changes in Elasticsearch with their audit entries, safe without transactions.

The record (in its backing index) and its audit entries (``<index>-audit``, id
``<record id>:<version>``) live in different indices, so one change is two writes:

1. **claim**: the audit entry for version ``v + 1`` is created first (``op_type=create``):
   at most one writer holds the claim for a version;
2. **record**: the new triage is written with ``if_seq_no``/``if_primary_term`` of the read
   at version ``v``. If that loses (someone else wrote the record), the claim is deleted
   (guarded by its own ``if_seq_no``) and the change is retried from a fresh read.

:func:`audit` lists only entries whose version is at most the record's triage version, so an
entry whose record write never happened (the writer died, or the answer was lost and the
write did not land) is never shown. Such an orphan claim blocks nothing: a writer that finds
the claim for ``v + 1`` taken while the record stays at ``v`` for ``grace`` seconds *fences*
the record (a forced rewrite of the same triage, which changes its ``seq_no``, so the old
claimant's guarded write can no longer land), deletes the claim and goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch

from pipeline.store.base import ConflictError, NotFoundError
from pipeline.store.triage import apply_changes

#: ``(record id) -> realtime GET answer`` of the record (``_index``, ``_seq_no``, ``_source``…);
#: raises NotFoundError.
GetFn = Callable[[str], Any]


class Triage:
    """Triage writes of one store: ``get`` reads a record realtime from its backing index."""

    def __init__(self, es: Elasticsearch, audit_index: str, get: GetFn, clock: Callable[[], str],
                 sleep: Callable[[float], None], grace: float = 2.0) -> None:
        self.es = es
        self.audit_index = audit_index
        self.get = get
        self.clock = clock
        self.sleep = sleep
        self.grace = grace

    def update(self, record_id: str, changes: dict[str, Any], *, expected_version: int,
               actor: str) -> dict[str, Any]:
        """Compare-and-set on ``triage.version``; returns the record's new ``_source``.
        Raises ConflictError when the version is not ``expected_version`` (or the record kept
        changing for 3 attempts), NotFoundError, ValueError for an invalid change."""
        for _ in range(3):
            got = self.get(record_id)
            src = got["_source"]
            version = src["triage"]["version"]
            if version != expected_version:
                raise ConflictError(
                    f"record {record_id} triage is at version {version}, not {expected_version}:"
                    " someone else changed it; reload and retry"
                )
            triage, entry = apply_changes(src["triage"], changes, actor=actor, at=self.clock())
            claim = self._claim(record_id, entry)
            if claim is None:
                self._clear_stale_claim(record_id, got)
                continue
            try:
                self.es.update(index=got["_index"], id=record_id, doc={"triage": triage},
                               if_seq_no=got["_seq_no"], if_primary_term=got["_primary_term"],
                               refresh=True)
            except elasticsearch.ConflictError:
                # a pipeline upsert, another investigator or a fence came in between
                self._release(record_id, entry["version"], claim)
                continue
            # Any other error leaves the claim: if the write did land, the entry is right;
            # if not, audit() hides it and the next change at this version clears it.
            src["triage"] = triage
            return dict(src)
        raise ConflictError(f"record {record_id} kept changing during the triage update; retry")

    def _claim(self, record_id: str, entry: dict[str, Any]) -> tuple[int, int] | None:
        """Create the audit entry; (seq_no, primary_term), or None if the version is claimed."""
        try:
            resp = self.es.index(index=self.audit_index, id=f"{record_id}:{entry['version']}",
                                 document={"record_id": record_id, **entry}, op_type="create",
                                 refresh=True)
        except elasticsearch.ConflictError:
            return None
        return int(resp["_seq_no"]), int(resp["_primary_term"])

    def _release(self, record_id: str, version: int, claim: tuple[int, int]) -> None:
        """Delete our claim unless someone else has replaced it meanwhile."""
        try:
            self.es.delete(index=self.audit_index, id=f"{record_id}:{version}", if_seq_no=claim[0],
                           if_primary_term=claim[1], refresh=True)
        except (elasticsearch.ConflictError, elasticsearch.NotFoundError):
            pass

    def _clear_stale_claim(self, record_id: str, got: Any) -> None:
        """The claim for the next version is taken. Wait up to ``grace`` seconds for its
        owner's record write; if the record moves, return (the caller re-reads and reports
        the conflict). Else fence the record, so that write can never land, and delete the
        claim."""
        version = got["_source"]["triage"]["version"]
        waited = 0.0
        while waited < self.grace:
            self.sleep(0.05)
            waited += 0.05
            now = self.get(record_id)
            if now["_source"]["triage"]["version"] != version:
                return
            if (now["_seq_no"], now["_primary_term"]) != (got["_seq_no"], got["_primary_term"]):
                got = now  # an upsert changed derived fields; fence against the newest read
        try:
            self.es.update(index=got["_index"], id=record_id, doc={"triage": got["_source"]["triage"]},
                           detect_noop=False, if_seq_no=got["_seq_no"],
                           if_primary_term=got["_primary_term"], refresh=True)
        except elasticsearch.ConflictError:
            return  # the record changed after all; the caller re-reads
        aid = f"{record_id}:{version + 1}"
        try:
            stale = self.es.get(index=self.audit_index, id=aid)
        except elasticsearch.NotFoundError:
            return
        self._release(record_id, version + 1, (stale["_seq_no"], stale["_primary_term"]))

    def audit(self, record_id: str) -> list[dict[str, Any]]:
        """The record's audit entries, oldest first; only versions the record has reached."""
        try:
            current = self.get(record_id)["_source"]["triage"]["version"]
        except NotFoundError:
            return []
        resp = self.es.search(index=self.audit_index, query={"term": {"record_id": record_id}},
                              sort=[{"version": "asc"}], size=10_000)
        return [h["_source"] for h in resp["hits"]["hits"] if h["_source"]["version"] <= current]
