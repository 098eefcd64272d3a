"""The gazetteer's one Aho-Corasick matcher: what the alias alternation would find."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.literals import folded
from pipeline.extractors.locations import _matches, find_places, load_gazetteer


def _found(text: str, gazetteer: str | None = None) -> list[tuple[str, str]]:
    places = find_places(text) if gazetteer is None else find_places(text, gazetteer)
    return [(text[f.start:f.end], f.value) for f in places]


@pytest.mark.parametrize(("text", "expected"), [
    ("Bangkok.", [("Bangkok", "Bangkok")]),
    ("(Bangkok-Poipet)", [("Bangkok", "Bangkok"), ("Poipet", "Poipet")]),
    ("xBangkok Bangkok1 Bangkok_ BANGKOKs", []),  # a Latin alias is a whole word
    ("Đi Đà Nẵng", [("Đà Nẵng", "Da Nang")]),
    ("ĐÀ NẴNGx", []),
    ("ไปทำงานกรุงเทพฯแล้ว", [("กรุงเทพฯ", "Bangkok")]),  # Thai: inside a run of letters, longest alias
    ("ไปกรุงเทพแล้ว", [("กรุงเทพ", "Bangkok")]),
    ("在柬埔寨工作", [("柬埔寨", "Cambodia")]),  # Chinese: no word boundary
    ("金三角经济特区招聘", [("金三角经济特区", "Golden Triangle")]),
    ("ទៅភ្នំពេញ", [("ភ្នំពេញ", "Phnom Penh")]),  # Khmer
    ("ငါမြဝတီသွား", [("မြဝတီ", "Myawaddy")]),  # Burmese
])
def test_word_boundaries_for_latin_aliases_only(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Phnom Penh", ["Phnom Penh"]),
    ("Phnom-Penh", ["Phnom-Penh"]),
    ("PhnomPenh", ["PhnomPenh"]),
    ("Phnom\u3000Penh and Phnom\nPenh", ["Phnom\u3000Penh", "Phnom\nPenh"]),  # any one whitespace character
    ("Phnom  Penh", []),  # not two
    ("Cam-pu-chia", ["Cam-pu-chia"]),
    ("Cam pu chia", []),  # a hyphen written in an alias is a hyphen
    ("SIHANOUKVILLE", ["SIHANOUKVILLE"]),
    ("ſihanoukville", ["ſihanoukville"]),  # IGNORECASE matches long s with s
    ("Sihanoukville in Тhailand", ["Sihanoukville"]),  # a Cyrillic Т is not T
])
def test_spaces_hyphens_and_case(text: str, expected: list[str]) -> None:
    assert [raw for raw, _ in _found(text)] == expected


def test_longer_alias_first_at_a_start(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("- {name: KK, kind: hub, country: MM, aliases: [KK]}\n"
                    "- {name: KK Park, kind: hub, country: MM, aliases: [KK Park]}\n", "utf-8")
    assert _found("KK Park, KK-park, KK parking, KK", str(path)) == [
        ("KK Park", "KK Park"), ("KK-park", "KK Park"), ("KK", "KK"), ("KK", "KK")]


def test_alias_needing_more_than_lower_case_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("- {name: Diyarbakir, kind: transit, country: TR, aliases: [Dıyarbakır]}\n", "utf-8")
    with pytest.raises(ValueError, match="Dıyarbakır"):
        load_gazetteer(str(path))


_PLACE_WORDS = st.sampled_from([
    "Phnom Penh", "phnom-penh", "PhnomPenh", "Phnom\tPenh", "Sihanoukville", "sihanouk ville", "Poipet", "poi pet",
    "Bavet", "Bavetta", "Myawaddy", "KK Park", "kk  park", "Campuchia", "Cam-pu-chia", "Kamboja", "กัมพูชา", "เมียวดี",
    "กรุงเทพ", "กรุงเทพฯ", "西港", "柬埔寨", "金三角", "金三角经济特区", "ភ្នំពេញ", "Dubai", "Bangkok", "Mae Sot",
    "Các Tiểu vương quốc Ả Rập", "Lao PDR", "TP.HCM", "ſihanoukville", "SİHANOUKVİLLE", "Baıgkok", "Тhailand", "x",
    "_", "1", "-", " ", ".", "\n", "\u00a0", "ı", "İ", "µ",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PLACE_WORDS | st.text(max_size=6), max_size=12).map("".join))
def test_automaton_finds_what_the_alternation_finds(text: str) -> None:
    """Given the folded text, or without it (the characters ``folded`` refuses written as the
    alias characters they match), the automaton finds the alternation's matches."""
    gaz = load_gazetteer()
    expected = [m.span() for m in gaz.pattern.finditer(text)]
    assert _matches(gaz, text, None) == expected
    if (low := folded(text)) is not None:
        assert _matches(gaz, text, low) == expected
