"""Reading schema.org JSON-LD from a page: every ``<script type="application/ld+json">``
block, flattened through ``@graph`` and lists, with ``@id`` references resolvable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")


@dataclass
class JsonLd:
    """The JSON-LD nodes of one page, and how many blocks could not be parsed."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    invalid_blocks: int = 0
    errors: list[str] = field(default_factory=list)

    def of_type(self, type_name: str) -> list[dict[str, Any]]:
        return [n for n in self.nodes if type_name in node_types(n)]

    def resolve(self, value: Any) -> Any:
        """Follow a ``{"@id": ...}`` reference to the node with that id on the page."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            for node in self.nodes:
                if node.get("@id") == value["@id"] and len(node) > 1:
                    return node
        return value


def node_types(node: dict[str, Any]) -> set[str]:
    """``@type`` of a node as bare schema.org names (``JobPosting``)."""
    raw = node.get("@type", [])
    types = raw if isinstance(raw, list) else [raw]
    out = set()
    for t in types:
        if isinstance(t, str):
            for prefix in _SCHEMA_PREFIXES:
                t = t.removeprefix(prefix)
            out.add(t)
    return out


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten(data["@graph"])
            rest = {k: v for k, v in data.items() if k not in ("@graph", "@context")}
            if "@type" in rest:
                yield rest
        else:
            yield data


def extract(selector: Selector) -> JsonLd:
    """All JSON-LD nodes in a page. A block that is not valid JSON is counted in
    ``invalid_blocks`` (with its error message) and skipped, never raised."""
    result = JsonLd()
    for i, block in enumerate(selector.css('script[type="application/ld+json"]::text').getall()):
        text = block.strip()
        if not text:
            continue
        try:
            # strict=False: boards often leave raw newlines inside JSON strings
            data = json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            result.invalid_blocks += 1
            result.errors.append(f"block {i}: {exc}")
            continue
        result.nodes.extend(_flatten(data))
    return result
