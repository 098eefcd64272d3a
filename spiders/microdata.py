"""Reading schema.org microdata (``itemscope``/``itemprop``) with extruct, shaped like
JSON-LD nodes so the JSON-LD readers apply unchanged.

An item ``{"type": "https://schema.org/JobPosting", "properties": {...}}`` becomes
``{"@type": "JobPosting", ...}`` with nested items converted the same way. A
``description`` property is given as the *markup* of its element rather than its flattened
text, so paragraphs, list items and links survive (``htmltext.html_to_text`` reads it).
"""

from __future__ import annotations

from typing import Any

import lxml.etree
import lxml.html
from extruct.w3cmicrodata import LxmlMicrodataExtractor

from spiders.jsonld import node_types

_DESCRIPTION = lxml.etree.XPath(
    "set:difference(.//*[@itemprop='description'], .//*[@itemscope]//*[@itemprop='description'])",
    namespaces={"set": "http://exslt.org/sets"},
)


def _node(item: dict[str, Any]) -> dict[str, Any]:
    """One extruct item as a JSON-LD-like node."""
    out: dict[str, Any] = {}
    raw_type = item.get("type")
    if raw_type:
        bare = sorted(node_types({"@type": raw_type}))
        out["@type"] = bare[0] if len(bare) == 1 else bare
    if item.get("id"):
        out["@id"] = item["id"]
    for name, value in (item.get("properties") or {}).items():
        out[name] = _value(value)
    html_node = item.get("htmlNode")
    if html_node is not None and "description" in out:
        found = _DESCRIPTION(html_node)
        if found:
            out["description"] = _inner_html(found[0])
    return out


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict) and ("properties" in value or "type" in value):
        return _node(value)
    if isinstance(value, dict) and "value" in value:  # an item without properties
        return value["value"]
    return value


def _inner_html(el: lxml.html.HtmlElement) -> str:
    parts = [el.text or ""]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in el]
    return "".join(parts)


def extract(root: lxml.html.HtmlElement, base_url: str) -> list[dict[str, Any]]:
    """Top-level microdata items of a parsed page as JSON-LD-like nodes, in page order."""
    items = LxmlMicrodataExtractor(add_html_node=True).extract_items(root, base_url)
    return [_node(item) for item in items]
