from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.literals import folded, present, required_literals
from pipeline.stages.indicators import load_indicators


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\b(high|attractive)\s+(salary|pay)\b", {"high", "attractive"}),
    (r"\bno\s+(upfront\s+)?cost(s)?\s+to\s+you\b", {"cost"}),  # "costs" holds "cost"
    (r"myawadd?y", {"myawady", "myawaddy"}),
    (r"(官方|政府)(认证|批准)", {"官方认证", "官方批准", "政府认证", "政府批准"}),
    (r"\d+\s*USD", {"usd"}),
    (r"[A-Z]+", None),
    (r"(?:abc)?", None),
    (r"σ\w+", None),  # Greek sigma has extra case forms: no literal
])
def test_required_literals(pattern: str, expected: set[str] | None) -> None:
    got = required_literals(pattern)
    assert (set(got) if got is not None else None) == expected


def test_folded_refuses_text_where_lower_case_is_not_ignorecase() -> None:
    assert folded("Salary HIGH") == "salary high"
    for text in ("ſalary", "hıgh", "İstanbul", "ΟΔΟΣ"):
        assert folded(text) is None, text


WORDS = st.sampled_from([
    "high salary", "HIGH Salary", "no upfront cost to you", "easy money", "lương cao", "việc nhẹ lương cao", "高薪",
    "เงินเดือนสูง", "passport", "visa", "Cambodia", "Myawaddy", "KK Park", "telegram", "no experience", "casino",
    "ſalary", "warning", "scam", "free ticket", "gaji tinggi", "tuyển gấp", "urgent", "age 18-30", "\u0131",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS | st.text(max_size=8), max_size=12).map(" ".join))
def test_precheck_keeps_every_hit(text: str) -> None:
    """Dropping the patterns whose literals are absent changes no hit of any indicator."""
    low = folded(text)
    for ind in load_indicators():
        for ps in ind.pattern_sets:
            rx = ps.for_text(low)
            assert [m.span() for m in ps.rx.finditer(text)] == ([m.span() for m in rx.finditer(text)] if rx else [])


def test_present() -> None:
    assert present(None, "anything")
    assert present(frozenset({"abc", "xyz"}), "..xyz..")
    assert not present(frozenset({"abc"}), "ab c")
