from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors import ages, emails, messaging, urls, wallets
from pipeline.extractors.literals import Prechecked, folded, leading_literals, required_literals, special_characters


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


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\b(high|attractive)\s+(salary|pay)\b", {"high", "attractive"}),
    (r"(?<![A-Za-z])age(d)?\s*\d", {"age", "aged"}),
    (r"gaji\s+(tinggi|besar)", {"gaji"}),
    (r"(官方|政府)(认证|批准)", {"官方认证", "官方批准", "政府认证", "政府批准"}),
    (r"x{2,3}abc", {"x"}),
    (r"\s+abc", None),
    (r"(?:ab)?cd", {"cd", "abcd"}),
    (r"(?:độ\s)?tuổi", None),
])
def test_leading_literals(pattern: str, expected: set[str] | None) -> None:
    got = leading_literals(pattern)
    assert (set(got) if got is not None else None) == expected


def test_folded_refuses_text_where_lower_case_is_not_ignorecase() -> None:
    assert folded("Salary HIGH") == "salary high"
    assert folded("Ｓalary") == "ｓalary"
    for text in ("ſalary", "hıgh", "İstanbul", "ΟΔΟΣ"):
        assert folded(text) is None, text


def test_outside_thespecial_characters_characters_ignorecase_is_lower_case_equality() -> None:
    """Checked with ``re`` itself: every BMP character outside the special set and each of its
    case variants (also outside it) match under IGNORECASE exactly when their lower cases are
    equal."""
    special = special_characters()[0]
    checked = 0
    for cp in range(0x80, 0x10000):
        c = chr(cp)
        if c in special:
            continue
        for d in {c.lower(), c.upper(), c.title(), c.casefold(), c.upper().lower()}:
            if len(d) == 1 and d not in special:
                assert (re.fullmatch(re.escape(c), d, re.IGNORECASE) is not None) == (c.lower() == d.lower()), (c, d)
                checked += 1
    assert checked > 60_000


def test_prechecked_skips_a_text_without_its_literals() -> None:
    pre = Prechecked(re.compile(r"\bwa\.me/\d+", re.I))
    assert pre.literals == frozenset({"wa.me/"})
    assert list(pre.finditer("no link here", folded("no link here"))) == []
    text = "chat WA.ME/855 now"
    assert [m.group(0) for m in pre.finditer(text, folded(text))] == ["WA.ME/855"]
    assert [m.group(0) for m in pre.finditer(text, None)] == ["WA.ME/855"]  # no folded text: scanned


EXTRACTOR_REGEXES = [v for mod in (ages, emails, messaging, wallets, urls) for v in vars(mod).values()
                     if isinstance(v, Prechecked)] + [urls._bare((*urls.SHORTENERS, *urls.BARE_HOSTS))]
TEXT_WORDS = st.sampled_from(["age 18-30", "18-35 years old", "Telegram: @hr_kh", "t.me/jobs_kh", "wa.me/85512345678",
                              "LINE ID: abc123", "zalo.me/0912345678", "m.me/jobs.page", "hr@example.com",
                              "hr [at] mail [dot] com", "0x52908400098527886E0F7030069857D2E4169EE", "tuổi từ 20 đến 35",
                              "อายุ 20-35 ปี", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "over 18", " ", "\n", ".", "@",
                              "jobs at gmail dot com", "hr AT mail.example.com", "meet us at our office. We",
                              "(at)", "x [at] y", "https://bit.ly/3abc", "www.jobs.example/apply", "http://", "bit.ly/x",
                              "t.me/abc", "see https://x.org.", "wa.me/855", "WA: 0912", "Zalo", "ſ", "K", "ı"])


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT_WORDS | st.text(max_size=6), max_size=20).map(" ".join))
def test_the_literal_gate_drops_no_match(text: str) -> None:
    """Every extractor regex finds the same with its literal gate as scanning the text."""
    low = folded(text)
    for pre in EXTRACTOR_REGEXES:
        assert [m.span() for m in pre.finditer(text, low)] == [m.span() for m in pre.rx.finditer(text)], pre.rx.pattern
