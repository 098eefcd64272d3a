"""``validate``'s fast path (``conforms``) never accepts what the JSON Schema rejects."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import _validator, conforms

from .conftest import make_record

BASE = make_record("https://x.example/1", "visa", title="t", score=0.5, flagged=True,
                   indicators=("a",), entities=(("phone", "+1"),)).to_dict()
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=5),
    st.sampled_from(["new", "in_review", "reviewing", "live", "removed", "title", "0" * 32, "2025-01-01",
                     "a" * 64, "2025-1-1", "x\n"]),
    st.lists(st.text(max_size=3), max_size=3), st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
PATHS = [(k,) for k in BASE] + [("triage", k) for k in BASE["triage"]] + [("lifecycle", k) for k in BASE["lifecycle"]] \
    + [("entities", 0, k) for k in ("type", "value", "start", "end", "field")] \
    + [("indicators", 0, k) for k in ("id", "start", "end", "weight", "evidence", "field")] \
    + [("extra_key",), ("triage", "extra_key"), ("entities", 0, "extra_key")]


def mutate(d: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    import copy

    out = copy.deepcopy(d)
    node = out
    try:
        for p in path[:-1]:
            node = node[p]
        if not isinstance(node, dict):
            return out
    except (KeyError, IndexError, TypeError):
        return out  # an earlier mutation replaced the container
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return out


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), VALUES, st.booleans()), min_size=1, max_size=3))
def test_fast_path_is_sound(mutations: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    d = BASE
    for path, value, delete in mutations:
        d = mutate(d, path, value, delete)
    if conforms(d):
        assert _validator().is_valid(d), d


def test_fast_path_accepts_ordinary_records() -> None:
    assert conforms(BASE)
    assert _validator().is_valid(BASE)
