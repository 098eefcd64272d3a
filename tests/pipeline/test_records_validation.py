"""``validate`` accepts what record.schema.json allows and rejects the rest, naming the field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import Entity, IndicatorHit, Record, RecordError, Triage, json_schema, validate

BASE = Record.from_capture(
    source_id="jobsite-vn", source_kind="jobboard", url="https://viec.example.vn/tin/1",
    text="Làm việc tại Campuchia, lương 1500 USD, liên hệ Telegram @hr_asia", title="Tuyển gấp",
    body_sha256="ab" * 32, fetched_at="2025-02-01T08:00:00Z", partition="2025-02-01", lang="vi",
    score=0.91, flagged=True, model_version="clf-1", stages={"normalize": "v1", "score": "clf-1"},
    entities=[Entity("telegram", "@hr_asia", 51, 59), Entity("money", "1500 USD", 4, 9, field="title")],
    indicators=[IndicatorHit("high_salary", 31, 39, 1.5, "1500 USD")],
    extra={"listing": {"salary": [1500, "USD"], "remote": False}},
    triage=Triage(status="in_review", label=1, assignee="an", tags=["vn", "telegram"], version=3),
).to_dict()

DELETE = object()


def changed(path: tuple[Any, ...], value: Any, record: dict[str, Any] = BASE) -> dict[str, Any]:
    """A copy of ``record`` with ``path`` set to ``value`` (or removed, for DELETE)."""
    out = copy.deepcopy(record)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    return out


def test_an_ordinary_record_is_valid() -> None:
    validate(BASE)
    assert Record.from_dict(BASE).to_dict() == BASE


@pytest.mark.parametrize(("path", "value"), [
    (("score",), 0), (("score",), 1), (("score",), 0.0), (("score",), None), (("flagged",), None),
    (("schema_version",), 1), (("schema_version",), 2), (("lang_source",), "detected"), (("region",), "KH"),
    (("title",), None), (("lang",), None), (("published_at",), "not a date"),
    (("fetched_at",), "whenever"),  # "format" is an annotation in draft 2020-12
    (("http_status",), 10**30),  # the schema sets no bound (the ES store dead-letters it)
    (("entities",), []), (("entities", 0, "field"), DELETE), (("entities", 0, "start"), 10**30),
    (("indicators", 0, "weight"), -2), (("indicators", 0, "weight"), 10**30),
    (("triage",), {}), (("triage", "label"), None), (("triage", "label"), 0), (("triage", "tags"), []),
    (("triage", "version"), 0), (("lifecycle",), {}), (("lifecycle", "status"), "removed"),
    (("extra",), {"anything": [1, None, {"x": -0.5}], "": True}), (("stages",), {}), (("text",), ""),
])
def test_valid_by_the_schema(path: tuple[Any, ...], value: Any) -> None:
    validate(changed(path, value))


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(("path", "value", "message"), [
    # wrong types
    (("id",), 123, "id: must be string"),
    (("text",), None, "text: must be string"),
    (("title",), 5, "title: must be string or null"),
    (("score",), "0.9", "score: must be number or null"),
    (("score",), True, "score: must be number or null"),
    (("flagged",), 1, "flagged: must be boolean or null"),
    (("http_status",), "200", "http_status: must be integer"),
    (("http_status",), 200.5, "http_status: must be integer"),
    (("http_status",), True, "http_status: must be integer"),
    (("entities",), {}, "entities: must be array"),
    (("entities", 0), "@hr_asia", r"entities\[0\]: must be object"),
    (("entities", 0, "start"), -1, r"entities\[0\].start: must be bigger than or equal to 0"),
    (("entities", 0, "end"), "9", r"entities\[0\].end: must be integer"),
    (("indicators", 0, "weight"), "1.5", r"indicators\[0\].weight: must be number"),
    (("extra",), [], "extra: must be object"),
    (("stages", "score"), 2, "stages.score: must be string"),
    (("triage", "tags"), "vn", "triage.tags: must be array"),
    (("triage", "label"), True, "triage.label: must be integer or null"),
    # out of range, NaN and infinities, huge integers
    (("score",), -0.01, "score: must be bigger than or equal to 0"),
    (("score",), 1.0000001, "score: must be smaller than or equal to 1"),
    (("score",), 10**100, "score: must be smaller than or equal to 1"),
    (("score",), INF, "score: must be smaller than or equal to 1"),
    (("score",), -INF, "score: must be bigger than or equal to 0"),
    (("score",), NAN, "score: must be a finite number"),
    (("indicators", 0, "weight"), NAN, r"indicators\[0\].weight: must be a finite number"),
    (("indicators", 0, "weight"), -INF, r"indicators\[0\].weight: must be a finite number"),
    (("schema_version",), 4, "schema_version: must be one of"),
    (("schema_version",), True, "schema_version: must be one of"),
    (("schema_version",), 10**100, "schema_version: must be one of"),
    (("triage", "label"), 2, "triage.label: must be one of"),
    (("triage", "label"), 10**100, "triage.label: must be one of"),
    (("triage", "version"), -1, "triage.version: must be bigger than or equal to 0"),
    # enums, patterns, lengths, uniqueness
    (("triage", "status"), "reviewing", "triage.status: must be one of"),
    (("lifecycle", "status"), "gone", "lifecycle.status: must be one of"),
    (("entities", 1, "field"), "body", r"entities\[1\].field: must be one of"),
    (("partition",), "2025-2-1", "partition: must match pattern"),
    (("partition",), "๒๕๖๘-02-01", "partition: must match pattern"),  # ASCII digits only, as in ECMA-262
    (("partition",), "2025-02-01\n", "partition: must match pattern"),
    (("id",), BASE["id"].upper(), "id: must match pattern"),
    (("id",), BASE["id"] + "\n", "id: must match pattern"),
    (("body_sha256",), "xyz", "body_sha256: must match pattern"),
    (("source_id",), "", "source_id: must be longer than or equal to 1"),
    (("triage", "tags"), ["vn", "vn"], "triage.tags: must contain unique items"),
    (("triage", "tags"), [""], r"triage.tags\[0\]: must be longer than or equal to 1"),
    # extra fields
    (("surprise",), 1, r"\(record\): must not contain \{'surprise'\} properties"),
    (("triage", "surprise"), 1, "triage: must not contain"),
    (("lifecycle", "surprise"), 1, "lifecycle: must not contain"),
    (("entities", 0, "surprise"), 1, r"entities\[0\]: must not contain"),
    (("indicators", 0, "surprise"), 1, r"indicators\[0\]: must not contain"),
    # required fields of nested objects
    (("entities", 0, "value"), DELETE, r"entities\[0\]: must contain \['value'\] properties"),
    (("indicators", 0, "weight"), DELETE, r"indicators\[0\]: must contain \['weight'\] properties"),
])
def test_invalid_by_the_schema(path: tuple[Any, ...], value: Any, message: str) -> None:
    with pytest.raises(RecordError, match=f"^invalid record field {message}"):
        validate(changed(path, value))


@pytest.mark.parametrize("name", json_schema()["required"])
def test_required_fields(name: str) -> None:
    with pytest.raises(RecordError, match=rf"\(record\): must contain \['{name}'\] properties"):
        validate(changed((name,), DELETE))


@pytest.mark.parametrize("data", [None, [], "record", 1])
def test_not_an_object(data: Any) -> None:
    with pytest.raises(RecordError, match=r"\(record\): must be object"):
        validate(data)


HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63 - 2, max_value=2**70), st.floats(),
    st.text(max_size=5), st.sampled_from(["new", "reviewing", "removed", "title", "0" * 32, "2025-01-01", "a" * 64]),
    st.lists(st.text(max_size=3) | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3) | st.floats(), max_size=2),
)
PATHS = [(k,) for k in BASE] + [("triage", k) for k in BASE["triage"]] + [("lifecycle", k) for k in BASE["lifecycle"]] \
    + [("entities", 0, k) for k in BASE["entities"][0]] + [("indicators", 0, k) for k in BASE["indicators"][0]] \
    + [("extra_key",), ("triage", "extra_key"), ("entities", 0, "extra_key")]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), HOSTILE | st.just(DELETE)), min_size=1, max_size=3))
def test_hostile_values_are_rejected_or_make_a_record(mutations: list[tuple[tuple[Any, ...], Any]]) -> None:
    """Whatever a mutation does, ``validate`` raises RecordError or the dict is a record:
    it serializes as strict JSON and rebuilds as a :class:`Record`."""
    d = BASE
    for path, value in mutations:
        try:
            d = changed(path, value, d)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced the container
    try:
        validate(d)
    except RecordError:
        return
    json.dumps(d, allow_nan=False)
    Record.from_dict(d)

