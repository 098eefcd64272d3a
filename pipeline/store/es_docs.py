"""The indexed form of a record in Elasticsearch, and back.

* ``stages`` is stored as a list of ``{stage, version}``: a partial ``doc`` update *merges*
  objects (old keys would survive) but *replaces* lists.
* ``folded``: title + text without Latin diacritics (only when that differs), so ``luong``
  finds ``lương`` as in SQLite (asciifolding lives in the absent analysis-common module).
* ``countries`` and ``entity_keys``: derived filter/pivot fields (:mod:`pipeline.store.derived`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.records import Record
from pipeline.store.base import DERIVED_FIELDS
from pipeline.store.derived import countries, entity_keys
from pipeline.store.query import fold_latin

#: Fields an upsert of an existing record writes (derived fields and what is computed from them).
UPDATE_FIELDS = (*DERIVED_FIELDS, "countries", "entity_keys")
_COMPUTED = ("folded", "countries", "entity_keys")


def to_es(d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    out["stages"] = [{"stage": k, "version": v} for k, v in d["stages"].items()]
    both = f"{d['title'] or ''}\n{d['text']}"
    folded = fold_latin(both)
    if folded != both:
        out["folded"] = folded
    out["countries"] = countries(d)
    out["entity_keys"] = entity_keys(d)
    return out


def from_es(src: dict[str, Any]) -> Record:
    d = {k: v for k, v in src.items() if k not in _COMPUTED}
    d["stages"] = {s["stage"]: s["version"] for s in src.get("stages") or []}
    return Record.from_dict(d)


def redact(url: str) -> str:
    """The URL without user:password (never put credentials in an error message)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
