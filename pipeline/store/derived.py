"""Fields the stores derive from a record at index time, for filters and pivots.

* ``countries``: ISO 3166-1 alpha-2 codes the post points to, sorted: the places named in
  its ``location`` entities (looked up in the extractor's gazetteer by place name) and a
  structured ``extra.location.country`` (JobPosting pages).
* ``entity_keys``: ``"<type>:<value>"`` per entity, so a pivot on a phone number does not
  also match a Telegram handle with the same text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _place_countries() -> dict[str, str]:
    from pipeline.extractors.locations import load_gazetteer

    return {place.name.casefold(): place.country for place in load_gazetteer().by_alias.values()}


def countries(d: dict[str, Any]) -> list[str]:
    """Countries of record dict ``d`` (see module docstring)."""
    found: set[str] = set()
    for e in d.get("entities") or []:
        if e.get("type") == "location":
            code = _place_countries().get(str(e.get("value", "")).casefold())
            if code:
                found.add(code)
    loc = (d.get("extra") or {}).get("location")
    if isinstance(loc, dict) and isinstance(loc.get("country"), str) and len(loc["country"]) == 2:
        found.add(loc["country"].upper())
    return sorted(found)


def entity_key(entity_type: str, value: str) -> str:
    return f"{entity_type}:{value}"


def entity_keys(d: dict[str, Any]) -> list[str]:
    return sorted({entity_key(e["type"], e["value"]) for e in d.get("entities") or []})
