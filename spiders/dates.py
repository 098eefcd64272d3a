"""Publication times as ISO 8601 UTC strings.

Every kind passes what a page says about when a post was published through
:func:`to_utc_iso`, so ``published_at`` reads the same across kinds: a time with an offset
becomes UTC (``2026-11-25T03:15:00+00:00``), a bare date stays a date (``2026-11-25``,
no time zone is invented), epoch seconds and RFC 2822 dates (RSS) are read as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def epoch_to_iso(seconds: float | int) -> str | None:
    """UTC ISO 8601 of POSIX seconds (Reddit's ``created_utc``); None if out of range."""
    try:
        return datetime.fromtimestamp(float(seconds), UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def to_utc_iso(value: Any) -> str | None:
    """``value`` (ISO 8601 string, RFC 2822 string, datetime, date or epoch seconds) as an
    ISO 8601 UTC string; a date alone stays ``YYYY-MM-DD``; a time without an offset is
    returned without one (its zone is unknown); None when it cannot be read."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return epoch_to_iso(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat(timespec="seconds")
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    if _DATE.match(raw):
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            return None
    try:
        return to_utc_iso(datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    try:
        return to_utc_iso(parsedate_to_datetime(raw))
    except (TypeError, ValueError, IndexError):
        return None
