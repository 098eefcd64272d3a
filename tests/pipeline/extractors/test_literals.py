from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors import ages, emails, messaging, urls, wallets
from pipeline.extractors.literals import (
    Prechecked,
    folded,
    literal_anchors,
    present,
    required_literals,
    scan_bounds,
    windowed_finditer,
)
from pipeline.indicators import literal_positions, load_indicators


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
    positions = literal_positions(low) if low is not None else None
    for ind in load_indicators():
        for ps in ind.pattern_sets:
            assert [m.span() for m in ps.finditer(text, positions)] == [m.span() for m in ps.rx.finditer(text)]


def test_present() -> None:
    assert present(None, "anything")
    assert present(frozenset({"abc", "xyz"}), "..xyz..")
    assert not present(frozenset({"abc"}), "ab c")


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"abc", (3, 2)),
    (r"ab\b", (2, 2)),
    (r"ab(?=cde)", (2, 5)),
    (r"(?<=x)ab(?!cd|e)", (2, 4)),
    (r"a(?:b|cd(?=xyz))", (3, 5)),
    (r"a+", None),
    (r"ab(?=c+)", None),
])
def test_scan_bounds(pattern: str, expected: tuple[int, int] | None) -> None:
    """Width of the widest match and how far past it assertions look (+2 for ``\\b``/``$``)."""
    assert scan_bounds(pattern) == expected


WINDOW_PATTERNS = [
    r"\bage\s?\d{2}\b", r"(?<![\w@])@[a-z]{2,6}(?![\w])", r"t\.me/[a-z_]{3,12}", r"salary(?= \$\d)",
    r"(?:usd|\$)\s?\d{1,3}(?:,\d{3}){0,2}", r"a.{0,9}z", r"(?i)x?id:?\s?[a-z]{1,8}", r"(?m)ok$",
]
PIECES = st.sampled_from(["age 25", "Age 18", "@abc_d", "x@abcd", "t.me/hr_kh", "salary $1,500", "usd 20,000",
                          "a..z", "a z", "ID: kk", "id:abc", "ok", "ok\n", " ", "\n", "$", "1", "z", "age"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES | st.text(alphabet="a@ z.$1\n:_dgeokIDt/", max_size=6), max_size=30).map("".join),
       st.sampled_from(WINDOW_PATTERNS))
def test_windowed_finditer_equals_finditer(text: str, pattern: str) -> None:
    """Scanning only near the required literals finds exactly what scanning everything finds."""
    rx = re.compile(pattern, re.I)
    pre = Prechecked(rx)
    assert pre.bounds is not None
    assert [m.span() for m in pre.finditer(text)] == [m.span() for m in rx.finditer(text)]
    low = folded(text)
    if low is not None and pre.literals:
        anchors = [(i, i + len(lit)) for lit in pre.literals for i in range(len(low)) if low.startswith(lit, i)]
        got = [m.span() for m in windowed_finditer(rx, text, anchors, *pre.bounds)]
        assert got == [m.span() for m in rx.finditer(text)]


EXTRACTOR_REGEXES = [v for mod in (ages, emails, messaging, wallets, urls) for v in vars(mod).values()
                     if isinstance(v, Prechecked)] + [urls._bare((*urls.SHORTENERS, *urls.BARE_HOSTS))]
TEXT_WORDS = st.sampled_from(["age 18-30", "18-35 years old", "Telegram: @hr_kh", "t.me/jobs_kh", "wa.me/85512345678",
                              "LINE ID: abc123", "zalo.me/0912345678", "m.me/jobs.page", "hr@example.com",
                              "hr [at] mail [dot] com", "0x52908400098527886E0F7030069857D2E4169EE", "tuổi từ 20 đến 35",
                              "อายุ 20-35 ปี", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "over 18", " ", "\n", ".", "@",
                              "jobs at gmail dot com", "hr AT mail.example.com", "meet us at our office. We",
                              "(at)", "x [at] y", "https://bit.ly/3abc", "www.jobs.example/apply", "http://", "bit.ly/x",
                              "t.me/abc", "see https://x.org.", "wa.me/855"])


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT_WORDS | st.text(max_size=6), max_size=20).map(" ".join))
def test_extractor_regexes_windowed_equal_full_scan(text: str) -> None:
    for pre in EXTRACTOR_REGEXES:
        assert [m.span() for m in pre.finditer(text)] == [m.span() for m in pre.rx.finditer(text)], pre.rx.pattern


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS | st.text(max_size=8), max_size=12).map(" ".join))
def test_literal_anchors_are_near_every_match_start(text: str) -> None:
    """Every match of every catalogue pattern holds one of its anchor strings, starting at most
    the given number of characters after the match starts (what the anchored scan relies on)."""
    low = folded(text)
    if low is None:
        return
    for ind in load_indicators():
        for ps in ind.pattern_sets:
            for rx, anchors in zip(ps.part_rx, ps.anchors, strict=True):
                if anchors is None:
                    continue
                lits, before = anchors
                for m in rx.finditer(text):
                    assert any(low.startswith(lit, i) for lit in lits
                               for i in range(m.start(), min(m.start() + before, m.end()) + 1)), (rx.pattern, m)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"gaji\s+(tinggi|besar)", ({"gaji"}, 0)),
    (r"\b(dm|pm|inbox)\s+(me|us)\b", ({"dm", "pm", "inbox"}, 0)),
    (r"x{2,3}abc", ({"abc"}, 3)),
    (r"\s+abc", None),
    (r"(?:ab)?cd", ({"cd"}, 2)),
])
def test_literal_anchors(pattern: str, expected: tuple[set[str], int] | None) -> None:
    got = literal_anchors(pattern)
    assert (None if got is None else (set(got[0]), got[1])) == expected


PHONE_WORDS = st.sampled_from(["+855 12 345 678", "0912 345 678", "(02) 123-4567", "ext. 12", "2024-05-01 10:30",
                               "call", "+66812345678", "Salary 15,000", "1", "-", " ", "\n", "a", "(", "+",
                               "no digits here " * 5, "x" * 61, " " * 45])


@settings(max_examples=200, deadline=None)
@given(st.lists(PHONE_WORDS | st.text(alphabet="0123456789 +-()./x", max_size=8), max_size=14).map("".join),
       st.sampled_from(["VN", "KH", "PH", "TH", "ZZ"]))
def test_phone_windows_find_what_the_whole_text_finds(text: str, region: str) -> None:
    """libphonenumber's matcher on the stretches around digit clusters finds what it finds on
    the whole text (what find_phones relies on)."""
    import phonenumbers

    from pipeline.extractors.phones import digit_windows

    whole = [(m.start, m.end, m.raw_string) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    parts = [(m.start + a, m.end + a, m.raw_string) for a, b in digit_windows(text)
             for m in phonenumbers.PhoneNumberMatcher(text[a:b], region)]
    assert parts == whole


@settings(max_examples=300, deadline=None)
@given(st.lists(PHONE_WORDS | st.text(alphabet="0123456789 +-()./xa", max_size=8), max_size=14).map("".join),
       st.sampled_from(["VN", "KH", "PH", "TH", "ZZ"]), st.sampled_from(["VALID", "POSSIBLE"]))
def test_phone_matcher_with_kept_verdicts_matches_the_library(text: str, region: str, leniency: str) -> None:
    """find_phones' matcher (a candidate's parse verdict kept per string and region) finds
    exactly what libphonenumber's own matcher finds, the same number at the same place, twice
    in a row (the second time from the kept verdicts)."""
    import phonenumbers

    from pipeline.extractors.phones import _LENIENCY, _Matcher

    def found(matcher: type[phonenumbers.PhoneNumberMatcher]) -> list[tuple[int, int, str, str]]:
        return [(m.start, m.end, m.raw_string, phonenumbers.format_number(m.number, 0))
                for m in matcher(text, region, leniency=_LENIENCY[leniency])]

    stock = found(phonenumbers.PhoneNumberMatcher)
    assert found(_Matcher) == stock
    assert found(_Matcher) == stock


@settings(max_examples=300, deadline=None)
@given(st.lists(PHONE_WORDS | st.sampled_from(["＋84 912 345 678", "+44 20 7946 0958", "Cambodia", "Việt Nam", "00855",
                                                "1-800-FLOWERS", "ext 5", "tel:0917", "63 917 123 4567", "0063 917",
                                                "12345", "1234", "0011 61 2", "Thailand", "(632) 8", "#12"])
                | st.text(alphabet="0123456789 +＋-()./x", max_size=8), max_size=12).map("".join),
       st.sampled_from(["en", "vi", "km", "th", None]))
def test_find_phones_matches_the_library_over_the_whole_text(text: str, lang: str | None) -> None:
    """find_phones (windows around digits, kept verdicts, the ZZ pass only where a plus sign
    is) finds what libphonenumber's own matcher finds over the whole text, region by region
    (vanity letters and extensions included)."""
    import phonenumbers

    from pipeline.extractors.base import Hints, overlaps
    from pipeline.extractors.phones import candidate_regions, e164, find_phones

    hints = Hints(lang=lang)
    taken: list[tuple[int, int]] = []
    expected = []
    for region in [*candidate_regions(text, hints), "ZZ"]:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if not overlaps(m.start, m.end, taken):
                taken.append((m.start, m.end))
                expected.append((m.start, m.end, e164(m.number)))
    assert [(f.start, f.end, f.value) for f in find_phones(text, hints)] == expected
