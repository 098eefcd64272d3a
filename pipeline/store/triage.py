"""Triage changes, shared by the store backends: validation, new state and audit entry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.records import TRIAGE_STATUSES

#: Triage fields an investigator may change.
TRIAGE_CHANGEABLE = ("status", "label", "assignee", "note", "tags")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def apply_changes(
    triage: dict[str, Any], changes: dict[str, Any], *, actor: str, at: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (new triage dict, audit entry) for ``changes`` on ``triage``.

    Bumps ``version`` and stamps ``updated_at``/``updated_by``. Raises ValueError for an
    unknown field or an invalid status/label (a caller bug, not a race).
    """
    unknown = set(changes) - set(TRIAGE_CHANGEABLE)
    if unknown:
        raise ValueError(
            f"cannot change triage field(s) {sorted(unknown)}; use {TRIAGE_CHANGEABLE}"
        )
    if "status" in changes and changes["status"] not in TRIAGE_STATUSES:
        raise ValueError(f"triage status {changes['status']!r} is not one of {TRIAGE_STATUSES}")
    if "label" in changes and changes["label"] not in (0, 1, None):
        raise ValueError(f"triage label {changes['label']!r} must be 0, 1 or None")
    if "tags" in changes:
        tags = changes["tags"]
        if not isinstance(tags, list | tuple) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise ValueError(f"triage tags {tags!r} must be a list of non-empty strings")
        changes = {**changes, "tags": sorted({t.strip() for t in tags})}
    if not actor:
        raise ValueError("a triage change needs an actor")
    new = dict(triage)
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        if triage.get(name) != value:
            diff[name] = [triage.get(name), value]
        new[name] = value
    new["version"] = int(triage.get("version", 0)) + 1
    new["updated_at"] = at
    new["updated_by"] = actor
    entry = {"version": new["version"], "actor": actor, "at": at, "changes": diff}
    return new, entry
