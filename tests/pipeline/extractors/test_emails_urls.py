from __future__ import annotations

import pytest

from pipeline.extractors.emails import find_emails
from pipeline.extractors.urls import find_urls


@pytest.mark.parametrize(("text", "expected", "raw"), [
    ("mail HR.Jobs@Example.com please", "hr.jobs@example.com", "HR.Jobs@Example.com"),
    ("name [at] domain [dot] com", "name@domain.com", "name [at] domain [dot] com"),
    ("hr(at)domain.com", "hr@domain.com", "hr(at)domain.com"),
    ("john at gmail dot com", "john@gmail.com", "john at gmail dot com"),
    ("write John at Gmail.com now", "john@gmail.com", "John at Gmail.com"),
    ("hr {at} kh-jobs (dot) net", "hr@kh-jobs.net", "hr {at} kh-jobs (dot) net"),
])
def test_emails(text: str, expected: str, raw: str) -> None:
    (f,) = find_emails(text)
    assert (f.value, text[f.start:f.end]) == (expected, raw)


@pytest.mark.parametrize("text", ["meet at the office.com", "a@b", "Telegram @someone"])
def test_not_emails(text: str) -> None:
    assert list(find_emails(text)) == []


@pytest.mark.parametrize(("text", "raw", "shortener"), [
    ("apply at https://careers.example.com/jobs/42.", "https://careers.example.com/jobs/42", False),
    ("see bit.ly/3abcXYZ!", "bit.ly/3abcXYZ", True),
    ("https://tinyurl.com/y7k2", "https://tinyurl.com/y7k2", True),
    ("link https://t.co/AbC123", "https://t.co/AbC123", True),
    ("go www.rb.gy/xyz", "www.rb.gy/xyz", True),
    ("cutt.ly/jobKH and s.id/kerja", "cutt.ly/jobKH", True),
    ("join t.me/Tuyen_Dung_CSKH, hurry", "t.me/Tuyen_Dung_CSKH", False),
    ("(https://example.org/a?b=1)", "https://example.org/a?b=1", False),
])
def test_urls(text: str, raw: str, shortener: bool) -> None:
    f = next(iter(find_urls(text)))
    assert (f.value, text[f.start:f.end], f.extra["shortener"]) == (raw, raw, shortener)


def test_shortener_config(blank) -> None:
    import spacy

    nlp = spacy.blank("xx")
    nlp.add_pipe("lurewatch_urls_v1", config={"shorteners": ["go.example"]})
    doc = nlp("see https://go.example/x and https://bit.ly/y")
    found = doc.user_data["identifiers"]
    assert [f.extra["shortener"] for f in found] == [True, False]
