"""Reading schema.org JSON-LD from a page: every ``<script type="application/ld+json">``
block, read by extruct's ``JsonLdExtractor`` (lenient JSON: raw newlines in strings, leading
HTML/JS comments), flattened through ``@graph`` and lists, with ``@id`` references resolvable."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
from extruct.jsonld import JsonLdExtractor
from parsel import Selector
from scrapy.http import TextResponse

_BLOCKS = lxml.etree.XPath('//script[@type="application/ld+json"]')

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


def extract(page: TextResponse | Selector) -> JsonLd:
    """All JSON-LD nodes in a page (a response or its selector), block by block. A block that
    is not JSON is counted in ``invalid_blocks`` (with its error message) and skipped, never
    raised; an empty block is skipped."""
    root = page.selector.root if isinstance(page, TextResponse) else page.root
    reader = JsonLdExtractor()
    result = JsonLd()
    for i, block in enumerate(_BLOCKS(root)):
        if not block.xpath("string()").strip():
            continue
        try:
            items = reader.extract_items(block)  # the block itself: extruct reads descendant-or-self
        except (ValueError, RecursionError) as exc:  # JSONDecodeError; nesting too deep
            result.invalid_blocks += 1
            result.errors.append(f"block {i}: {exc}")
            continue
        result.nodes.extend(_flatten(items))
    return result
