"""The record: one post from capture to review.

A :class:`Record` is created by a spider at capture time and enriched by each stage
(normalize → extract → indicators → score) before it reaches a store. Its ``id`` is
deterministic (canonical URL + content hash), so every stage and every store write is an
upsert and re-running a day never duplicates.

The JSON Schema in ``pipeline/schema/record.schema.json`` is the boundary contract;
:func:`validate` checks a record dict against it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEMA_VERSION = 3

#: Record schema versions :meth:`Record.from_dict` reads (older ones are upgraded on read).
#: v2 renamed triage statuses (reviewing → in_review, confirmed → actioned) and added tags;
#: v3 added ``lang_source`` and ``region`` (see pipeline.signals).
READABLE_SCHEMA_VERSIONS = (1, 2, 3)

#: Query parameters that never change what a page says (tracking, sessions).
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "ref", "ref_src", "mc_cid", "mc_eid", "igshid", "si", "sessionid"}
)

TRIAGE_STATUSES = ("new", "in_review", "escalated", "dismissed", "actioned")

#: v1 status names → v2 (schema version 2).
_V1_STATUSES = {"reviewing": "in_review", "confirmed": "actioned"}


class RecordError(ValueError):
    """A record does not match the schema; the message names the field."""


def canonical_url(url: str) -> str:
    """Canonical form of a URL: lower-case scheme and host, no fragment, no default port,
    no tracking parameters (``utm_*``, ``fbclid``…), remaining query sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def content_sha256(title: str | None, text: str) -> str:
    """SHA-256 (hex) of what the post says: title and text as captured."""
    h = hashlib.sha256()
    h.update((title or "").encode("utf-8"))
    h.update(b"\x00")
    h.update(text.encode("utf-8"))
    return h.hexdigest()


def record_id(canonical: str, content_hash: str) -> str:
    """Deterministic record id: first 32 hex digits of SHA-256(canonical URL, content hash)."""
    return hashlib.sha256(f"{canonical}\n{content_hash}".encode()).hexdigest()[:32]


@dataclass
class Entity:
    """An identifier found in a post; ``start``/``end`` index ``field`` (``text`` or
    ``title``) exactly as captured."""

    type: str
    value: str
    start: int
    end: int
    field: str = "text"


@dataclass
class IndicatorHit:
    """An indicator that fired, with its evidence span in ``field`` as captured."""

    id: str
    start: int
    end: int
    weight: float
    evidence: str
    field: str = "text"


@dataclass
class Triage:
    """Investigator's decision on a record. ``version`` increases on every change and
    guards concurrent updates (optimistic concurrency)."""

    status: str = "new"
    label: int | None = None
    assignee: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    updated_at: str | None = None
    updated_by: str | None = None
    version: int = 0


@dataclass
class Lifecycle:
    """Whether the post is still up. A post that disappears (HTTP 404/410, or gone from a
    channel page that still lists its neighbours) is ``removed``: a takedown signal."""

    status: str = "live"
    removed_at: str | None = None
    removal_reason: str | None = None


@dataclass
class Record:
    """One post (job ad, channel message, listing) from capture to review.

    Capture fields are set once by the spider and never change; ``entities``,
    ``indicators``, ``score``, ``flagged`` and ``model_version`` are derived by stages;
    ``triage`` belongs to investigators and is never overwritten by a pipeline run.
    """

    id: str
    source_id: str
    source_kind: str
    url: str
    canonical_url: str
    fetched_at: str
    partition: str
    text: str
    body_sha256: str
    content_sha256: str
    title: str | None = None
    published_at: str | None = None
    lang: str | None = None
    #: who gave ``lang``: spider (at capture), label (with an offline or labelled post) or
    #: detected (by the signals stage); None before the signals stage
    lang_source: str | None = None
    #: ISO 3166-1 alpha-2 region of the source (the register), read by the phone finder
    region: str | None = None
    http_status: int = 200
    author: str | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_digest: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    norm_text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    indicators: list[IndicatorHit] = field(default_factory=list)
    score: float | None = None
    flagged: bool | None = None
    model_version: str | None = None
    stages: dict[str, str] = field(default_factory=dict)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    triage: Triage = field(default_factory=Triage)
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def from_capture(
        cls,
        *,
        source_id: str,
        source_kind: str,
        url: str,
        text: str,
        body_sha256: str,
        fetched_at: str,
        partition: str,
        title: str | None = None,
        **kwargs: Any,
    ) -> Record:
        """Build a record at capture time, computing canonical URL, content hash and id."""
        canon = canonical_url(url)
        chash = content_sha256(title, text)
        return cls(
            id=record_id(canon, chash),
            source_id=source_id,
            source_kind=source_kind,
            url=url,
            canonical_url=canon,
            fetched_at=fetched_at,
            partition=partition,
            text=text,
            title=title,
            body_sha256=body_sha256,
            content_sha256=chash,
            **kwargs,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Rebuild a record from its dict form; raises :class:`RecordError` if invalid."""
        d = upgrade(data)
        validate(d)
        d["entities"] = [Entity(**e) for e in d.get("entities") or []]
        d["indicators"] = [IndicatorHit(**i) for i in d.get("indicators") or []]
        d["triage"] = Triage(**(d.get("triage") or {}))
        d["lifecycle"] = Lifecycle(**(d.get("lifecycle") or {}))
        return cls(**d)


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of record dict ``data`` at the current SCHEMA_VERSION (v1 → v2: triage status
    names; v2 → v3: nothing to change, the new fields are optional); dicts already current
    are returned as a shallow copy."""
    d = dict(data)
    if d.get("schema_version") == 1:
        triage = d.get("triage")
        if isinstance(triage, dict) and triage.get("status") in _V1_STATUSES:
            d["triage"] = {**triage, "status": _V1_STATUSES[triage["status"]]}
    if d.get("schema_version") in (1, 2):
        d["schema_version"] = SCHEMA_VERSION
    return d


@lru_cache(maxsize=1)
def json_schema() -> dict[str, Any]:
    """The record JSON Schema (draft 2020-12)."""
    text = resources.files("pipeline").joinpath("schema/record.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(json_schema())


def validate(data: dict[str, Any]) -> None:
    """Raise :class:`RecordError` naming the first invalid field of ``data``.

    A record that passes :func:`conforms` (a direct check, ~20x faster) is valid; anything else
    goes through the JSON Schema, which decides and names the field."""
    if conforms(data):
        return
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "(record)"
        raise RecordError(f"invalid record field {where}: {err.message}")


# ---------------------------------------------------------------- fast path of validate()

_HEX32 = re.compile(r"[0-9a-f]{32}\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TOP = frozenset({"schema_version", "id", "source_id", "source_kind", "url", "canonical_url", "fetched_at",
                  "partition", "published_at", "title", "text", "lang", "http_status", "author", "warc_file",
                  "warc_record_id", "warc_digest", "body_sha256", "content_sha256", "extra", "norm_text",
                  "entities", "indicators", "score", "flagged", "model_version", "stages", "lifecycle",
                  "triage"})
_REQUIRED = ("id", "source_id", "source_kind", "url", "canonical_url", "fetched_at", "partition", "text",
             "body_sha256", "content_sha256", "schema_version")
_OPT_STR = ("published_at", "title", "lang", "author", "warc_file", "warc_record_id", "warc_digest",
            "norm_text", "model_version")


def _int(v: Any, minimum: int | None = None) -> bool:
    return type(v) is int and (minimum is None or v >= minimum)


def _num(v: Any) -> bool:
    return type(v) in (int, float)


def _opt_str(v: Any) -> bool:
    return v is None or type(v) is str


def _span(item: Any, keys: frozenset[str], required: tuple[str, ...]) -> bool:
    return (type(item) is dict and keys.issuperset(item) and all(k in item for k in required)
            and _int(item["start"], 0) and _int(item["end"], 0)
            and item.get("field", "text") in ("text", "title") and type(item.get("field", "text")) is str)


_ENTITY = frozenset({"type", "value", "start", "end", "field"})
_INDICATOR = frozenset({"id", "start", "end", "weight", "evidence", "field"})
_LIFECYCLE = frozenset({"status", "removed_at", "removal_reason"})
_TRIAGE = frozenset({"status", "label", "assignee", "note", "tags", "updated_at", "updated_by", "version"})


def conforms(d: Any) -> bool:
    """True only if record dict ``d`` certainly matches the JSON Schema (never a false yes;
    a False means: ask the schema). Kept in step with record.schema.json by a test."""
    try:
        if type(d) is not dict or not _TOP.issuperset(d) or not all(k in d for k in _REQUIRED):
            return False
        if not (_int(d["schema_version"]) and d["schema_version"] in READABLE_SCHEMA_VERSIONS):
            return False
        if not all(type(d[k]) is str for k in ("id", "source_id", "source_kind", "url", "canonical_url",
                                                "fetched_at", "partition", "text", "body_sha256",
                                                "content_sha256")):
            return False
        if not (d["source_id"] and d["source_kind"] and d["url"] and d["canonical_url"]):
            return False
        if not (_HEX32.match(d["id"]) and _DAY.match(d["partition"]) and _HEX64.match(d["body_sha256"])
                and _HEX64.match(d["content_sha256"])):
            return False
        if not all(_opt_str(d.get(k)) for k in _OPT_STR):
            return False
        if "http_status" in d and not _int(d["http_status"]):
            return False
        if "extra" in d and type(d["extra"]) is not dict:
            return False
        for e in d.get("entities", []):
            if not (_span(e, _ENTITY, ("type", "value", "start", "end"))
                    and type(e["type"]) is str and type(e["value"]) is str):
                return False
        if "entities" in d and type(d["entities"]) is not list:
            return False
        for i in d.get("indicators", []):
            if not (_span(i, _INDICATOR, ("id", "start", "end", "weight", "evidence"))
                    and type(i["id"]) is str and _num(i["weight"]) and type(i["evidence"]) is str):
                return False
        if "indicators" in d and type(d["indicators"]) is not list:
            return False
        score = d.get("score")
        if score is not None and not (_num(score) and 0 <= score <= 1):
            return False
        if d.get("flagged") is not None and type(d["flagged"]) is not bool:
            return False
        stages = d.get("stages", {})
        if type(stages) is not dict or not all(type(v) is str for v in stages.values()):
            return False
        lc = d.get("lifecycle", {})
        if type(lc) is not dict or not _LIFECYCLE.issuperset(lc) or lc.get("status", "live") not in (
                "live", "removed") or not (_opt_str(lc.get("removed_at")) and _opt_str(lc.get("removal_reason"))):
            return False
        t = d.get("triage", {})
        if type(t) is not dict or not _TRIAGE.issuperset(t):
            return False
        if "status" in t and not (type(t["status"]) is str and t["status"] in TRIAGE_STATUSES):
            return False
        if t.get("label") is not None and not (_int(t["label"]) and t["label"] in (0, 1)):
            return False
        if not all(_opt_str(t.get(k)) for k in ("assignee", "note", "updated_at", "updated_by")):
            return False
        if "version" in t and not _int(t["version"], 0):
            return False
        tags = t.get("tags", [])
        return (type(tags) is list and all(type(x) is str and x for x in tags)
                and len(set(tags)) == len(tags))
    except (TypeError, KeyError, AttributeError):
        return False
