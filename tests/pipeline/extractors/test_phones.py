from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.base import Hints
from pipeline.extractors.phones import _LENIENCY, candidate_regions, e164, find_phones


@pytest.mark.parametrize(("text", "lang", "region", "expected"), [
    ("Liên hệ 0912 345 678", "vi", None, "+84912345678"),
    ("โทร 081 234 5678", "th", None, "+66812345678"),
    ("Call 096 765 4321 for Cambodia jobs", "en", None, "+855967654321"),
    ("ទូរស័ព្ទ 012 345 678", "km", None, "+85512345678"),
    ("ဖုန်း 09 420 123 456", "my", None, "+959420123456"),
    ("Text 0917 123 4567", "tl", None, "+639171234567"),
    ("Hubungi 0812-3456-7890", "id", None, "+6281234567890"),
    ("Hubungi 012-345 6789", "ms", None, "+60123456789"),
    ("电话 138 0013 8000", "zh", None, "+8613800138000"),
    ("Tel 020 5512 3456", None, "LA", "+8562055123456"),
    ("工作在柬埔寨 电话 096 765 4321", None, None, "+855967654321"),
    ("ติดต่อ 096 765 4321 งานกัมพูชา", None, None, "+855967654321"),
    ("Call +855 96 765 4321 today", None, None, "+855967654321"),
    ("Call 00855 96 765 4321", "en", None, "+855967654321"),
])
def test_phone_regions(text: str, lang: str | None, region: str | None, expected: str) -> None:
    (f,) = find_phones(text, Hints(lang, region))
    assert f.value == expected
    raw = text[f.start:f.end]
    assert raw[0] in "+01"
    assert raw[-1] == expected[-1]


def test_language_region_beats_country_words() -> None:
    # a Vietnamese post about Cambodia, with a number valid in both: read as Vietnamese
    (f,) = find_phones("Đi Campuchia, gọi 096 765 4321", Hints("vi"))
    assert f.value == "+84967654321"


def test_source_region_first() -> None:
    assert candidate_regions("Việt Nam", Hints("en", "kh")) == ["KH", "VN", "PH"]


def test_number_valid_nowhere_is_dropped() -> None:
    assert list(find_phones("Mã đơn 123 456", Hints("vi"))) == []


def test_component_on_blank_doc(blank) -> None:
    nlp = blank("lurewatch_phones_v1")
    doc = nlp.make_doc("gọi 0912 345 678")
    doc.user_data["lang"] = "vi"
    doc = nlp(doc)
    assert [(s.label_, s.kb_id_) for s in doc.spans["identifiers"]] == [("phone", "+84912345678")]
    assert doc.user_data["identifier_chars"] == [("phone", "+84912345678", 4, 16)]


def test_bad_leniency_config(blank) -> None:
    import spacy

    nlp = spacy.blank("xx")
    with pytest.raises(ValueError, match="leniency"):
        nlp.add_pipe("lurewatch_phones_v1", config={"leniency": "SLOPPY"})


PHONE_WORDS = st.sampled_from(["+855 12 345 678", "0912 345 678", "(02) 123-4567", "ext. 12", "2024-05-01 10:30",
                               "call", "+66812345678", "Salary 15,000", "1", "-", " ", "\n", "a", "(", "+",
                               "＋84 912 345 678", "+44 20 7946 0958", "Cambodia", "Việt Nam", "00855", "1-800-FLOWERS",
                               "ext 5", "tel:0917", "63 917 123 4567", "0063 917", "12345", "1234", "0011 61 2",
                               "Thailand", "(632) 8", "#12", "no digits here", "x" * 61])


@settings(max_examples=300, deadline=None)
@given(st.lists(PHONE_WORDS | st.text(alphabet="0123456789 +＋-()./x", max_size=8), max_size=12).map("".join),
       st.sampled_from(["en", "vi", "km", "th", None]), st.sampled_from(["VALID", "POSSIBLE"]))
def test_find_phones_is_the_library_matcher_region_by_region(text: str, lang: str | None, leniency: str) -> None:
    """find_phones (no pass under ZZ for a text without a plus sign, none at all without a
    digit) finds what libphonenumber's own matcher finds over the whole text, region by
    region, an overlapping number dropped (vanity letters and extensions included)."""
    hints = Hints(lang=lang)
    taken: list[tuple[int, int]] = []
    expected = []
    for region in [*candidate_regions(text, hints), "ZZ"]:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=_LENIENCY[leniency]):
            if not any(s < m.end and m.start < e for s, e in taken):
                taken.append((m.start, m.end))
                expected.append((m.start, m.end, e164(m.number)))
    assert [(f.start, f.end, f.value) for f in find_phones(text, hints, leniency=leniency)] == expected
