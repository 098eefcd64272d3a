from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.base import Spans
from pipeline.extractors.find import find_identifiers

SPAN = st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda p: (p[0], p[0] + p[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), SPAN), max_size=40))
def test_spans_answer_as_a_pass_over_every_span(steps: list[tuple[bool, tuple[int, int]]]) -> None:
    """Adding and testing spans in any order: the same answers as testing every span added."""
    spans, kept = Spans(), []
    for add, (start, end) in steps:
        assert spans.overlaps(start, end) == any(s < end and start < e for s, e in kept)
        if add:
            spans.add(start, end)
            kept.append((start, end))


def test_spans_of_found_types() -> None:
    from pipeline.extractors.base import Found

    found = [Found("url", "u", 0, 10), Found("email", "e", 20, 30)]
    assert Spans.of(found, "email").overlaps(5, 8) is False
    assert Spans.of(found).overlaps(5, 8) is True


@pytest.mark.slow
def test_a_large_post_takes_time_in_proportion_to_its_size() -> None:
    """40,000 identifiers in a 750 KB post: each new find is checked against the earlier ones
    by binary search (a pass over all of them took about a minute here)."""
    n = 8000
    text = "".join(f"Telegram @hr_team{i} age 18-30 call +855 12 345 {i % 1000:03d} hr{i}@example.com "
                   f"https://x.example/{i} " for i in range(n))
    t = time.process_time()
    found = find_identifiers(text, "en")
    assert time.process_time() - t < 30
    assert len(found) == 5 * n
