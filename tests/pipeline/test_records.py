from __future__ import annotations

import json

import pytest

from pipeline.records import (
    Entity,
    IndicatorHit,
    Record,
    RecordError,
    canonical_url,
    json_schema,
    record_id,
    validate,
)


def make(**kw: object) -> Record:
    base = dict(source_id="demo", source_kind="jobposting", url="https://jobs.example/ad/1",
                text="Customer service, Sihanoukville", body_sha256="a" * 64,
                fetched_at="2026-11-28T10:00:00+00:00", partition="2026-11-28", title="CS agent")
    base.update(kw)
    return Record.from_capture(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://Jobs.Example:443/ad/1?utm_source=fb&b=2&a=1#apply", "https://jobs.example/ad/1?a=1&b=2"),
    ("http://jobs.example:8080/ad?fbclid=x", "http://jobs.example:8080/ad"),
    ("https://t.me/s/channel", "https://t.me/s/channel"),
    ("https://jobs.example", "https://jobs.example/"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_id_is_deterministic_and_depends_on_url_and_content() -> None:
    a, b = make(), make(fetched_at="2026-11-29T00:00:00+00:00", body_sha256="b" * 64)
    assert a.id == b.id  # same canonical URL and content → same id, whenever fetched
    assert make(url="https://jobs.example/ad/1?utm_medium=x").id == a.id
    assert make(text="changed").id != a.id
    assert make(url="https://jobs.example/ad/2").id != a.id
    assert a.id == record_id(a.canonical_url, a.content_sha256)
    assert len(a.id) == 32


def test_round_trip_through_json_and_schema() -> None:
    r = make()
    r.entities = [Entity("telegram", "hr_asia", 0, 8)]
    r.indicators = [IndicatorHit("LOC-01", 18, 31, 2.0, "Sihanoukville")]
    r.score, r.flagged, r.model_version = 0.9, True, "m1"
    back = Record.from_dict(json.loads(r.to_json()))
    assert back == r


@pytest.mark.parametrize(("field", "value", "message"), [
    ("partition", "28/11/2026", "partition"),
    ("body_sha256", "xyz", "body_sha256"),
    ("score", 1.5, "score"),
    ("surprise", 1, "surprise"),
])
def test_invalid_records_name_the_field(field: str, value: object, message: str) -> None:
    d = make().to_dict()
    d[field] = value
    with pytest.raises(RecordError, match=message):
        validate(d)


def test_schema_requires_capture_fields() -> None:
    required = set(json_schema()["required"])
    assert {"id", "url", "canonical_url", "fetched_at", "body_sha256", "content_sha256",
            "source_id", "text"} <= required
