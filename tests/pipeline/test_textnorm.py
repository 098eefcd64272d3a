from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.confusables import loose_table, script_of, strict_table
from pipeline.textnorm import LEET_KEYWORDS, _normalize, normalize_text

TRICKY = st.text(alphabet=st.sampled_from(list(
    "abcT.el gram@0123456789 \n\t\u200b\u200d\ufeff\u00ad１２３ＡＢＣ๑๒๓១២៣𝐓𝐞𝐥ﬁ①Ⅻ㎏ẹ̀ệ"
    "аеорсТМкЯжΑΟοα菠菜-_*|/[]()$wh4tsp5l1Oไลน์ก.【】"
)), max_size=60)

@pytest.fixture(autouse=True, scope="module")
def _unicode_tables() -> None:
    """Build the normalizer's character tables (about 0.1 s, once) outside Hypothesis's deadline."""
    _normalize("warm up")


_LEET_FOR = {"o": "0", "l": "1", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7", "b": "8", "g": "9"}
_CYR_FOR = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}


@st.composite
def obfuscated_keyword(draw: st.DrawFn) -> tuple[str, str]:
    """A keyword disguised by one evasion class, and the keyword."""
    kw = draw(st.sampled_from(sorted(LEET_KEYWORDS)))
    how = draw(st.sampled_from(["leet", "spaced", "cyrillic", "zero_width", "fullwidth", "bold"]))
    if how == "leet":
        pos = [i for i, ch in enumerate(kw) if ch in _LEET_FOR]
        if not pos:
            return kw, kw
        i = draw(st.sampled_from(pos))
        word = kw[:i] + _LEET_FOR[kw[i]] + kw[i + 1:]
        if sum(ch.isalpha() for ch in word) < 2:
            return kw, kw
    elif how == "spaced":
        word = draw(st.sampled_from([" ", ".", " . ", "-", "*"])).join(kw)
    elif how == "cyrillic":
        word = "".join(_CYR_FOR.get(ch, ch) for ch in kw)
        if not any(ch.isascii() for ch in word):  # all look-alikes: Latin neighbour makes it fold
            word = word + "x"
            kw = kw + "x"
    elif how == "zero_width":
        word = "\u200b".join(kw)
    elif how == "fullwidth":
        word = "".join(chr(ord(ch) - 0x61 + 0xFF41) for ch in kw)
    else:
        word = "".join(chr(ord(ch) - 0x61 + 0x1D41A) for ch in kw)
    return word, kw


@given(st.text(max_size=80) | TRICKY)
def test_idempotent(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once


@given(st.text(max_size=80) | TRICKY)
def test_offsets_are_valid_and_monotonic(text: str) -> None:
    n = normalize_text(text)
    assert len(n.starts) == len(n.ends) == len(n.text)
    for i, (s, e) in enumerate(zip(n.starts, n.ends, strict=True)):
        assert 0 <= s < e <= len(text)
        if i:
            assert s >= n.starts[i - 1]
    for a in range(len(n.text)):
        for b in range(a, min(len(n.text), a + 5) + 1):
            s, e = n.to_original(a, b)
            assert 0 <= s <= e <= len(text)


@settings(max_examples=300)
@given(obfuscated_keyword(), st.sampled_from(["", "liên hệ ", "ติดต่อ ", "contact: "]),
       st.sampled_from(["", " now", " 0912345678", "！"]))
def test_keyword_span_recovers_obfuscated_original(case: tuple[str, str], before: str, after: str) -> None:
    word, kw = case
    text = before + word + after
    n = normalize_text(text)
    i = n.text.lower().find(kw)
    assert i >= 0, (text, n.text)
    s, e = n.to_original(i, i + len(kw))
    assert text[s:e] == word


@pytest.mark.parametrize(("text", "expected"), [
    # EVA-01 spaced / dotted letters
    ("T.e.l.e.g.r.a.m: @job88", "Telegram: @job88"),
    ("W h a t s A p p 0912 345 678", "WhatsApp 0912 345 678"),
    ("liên hệ t e l e", "liên hệ tele"),
    ("Z - a - l - o 0901", "Zalo 0901"),
    ("T e 1 e g r a m", "Telegram"),
    ("菠 菜 项目 日 薪 ５００", "菠菜 项目 日薪 500"),
    # ordinary words and lists stay
    ("I am a good man", "I am a good man"),
    ("e.g. a list", "e.g. a list"),
    ("A B C", "A B C"),
    ("0 9 1 2 3 4 5 6", "0 9 1 2 3 4 5 6"),
    ("U.S. visa", "U.S. visa"),
    # EVA-01 bracketed at / dot
    ("job[at]gmail(dot)com", "job@gmail.com"),
    ("hr (at) corp [.] vn", "hr@corp.vn"),
    ("meet at 5 pm", "meet at 5 pm"),
    ("tuyendung.cpc [a] gmail [chấm] com", "tuyendung.cpc@gmail.com"),
    ("kh.hr【at】qq【dot】com", "kh.hr@qq.com"),
    ("options (a) and (b)", "options (a) and (b)"),
    # digit groups written with the letter O
    ("₱6O,OOO 1.OOO–1.5OO USD, O912 345 678", "₱60,000 1.000–1.500 USD, 0912 345 678"),
    ("CO2 SOS Oo", "CO2 SOS Oo"),
    # spaced Thai letters with their marks
    ("ไ ล น์ : jobinter99", "ไลน์ : jobinter99"),
    ("ติดต่อ ไ.ล.น์ ได้", "ติดต่อ ไลน์ ได้"),
    ("ณ วันที่ 5 ก.ย. 2567", "ณ วันที่ 5 ก.ย. 2567"),
    # EVA-02 confusables
    ("Теlеgrаm", "Telegram"),
    ("Cаmbоdia", "Cambodia"),
    ("Теlеgrам", "Telegram"),
    ("WhatsΑpp", "WhatsApp"),
    ("Привет, пишите в Теlеgram", "Привет, пишите в Telegram"),
    ("Это сор", "Это сор"),
    ("Αθήνα ΑΒΓ", "Αθήνα ΑΒΓ"),
    # NFKC: fullwidth and mathematical letters
    ("Ｔｅｌｅｇｒａｍ ＋８４", "Telegram +84"),
    ("𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦 𝕃𝕀ℕ𝔼", "Telegram LINE"),
    # EVA-03 zero-width, bidi, keycaps
    ("Tele\u200bgr\u200dam\u202e", "Telegram"),
    ("1\ufe0f\u20e32\ufe0f\u20e3", "12"),
    # local digits
    ("๐๘๑ ၀၉ ០១២ ໑໒ ෧෨ १२ ０", "081 09 012 12 12 12 0"),
    # leetspeak in keywords only
    ("te1egram wh4tsapp c4mbodia 5alary", "telegram whatsapp cambodia salary"),
    ("WH4TSAPP / L1NE / u5dt / $alary", "WHATSAPP / LINE / usdt / salary"),
    ("5000 USD, +855 12 345 678, 4 ngày", "5000 USD, +855 12 345 678, 4 ngày"),
    ("@te1egram t.me/wh4tsapp c4mbodia@mail.com", "@te1egram t.me/wh4tsapp c4mbodia@mail.com"),
    ("b4by 1ove", "b4by 1ove"),
    ("L0KER K4MB0J4", "LOKER KAMBOJA"),
    # Vietnamese diacritics composed
    ("Lu\u031bo\u031bng cao", "Lương cao"),
])
def test_evasion_classes(text: str, expected: str) -> None:
    assert normalize_text(text).text == expected


@pytest.mark.parametrize(("text", "expected", "starts"), [
    ("  lead and trail  ", "lead and trail", list(range(2, 16))),
    (" ", "", []),
    ("", "", []),
    ("ab  cd   ef\n\n gh \n", "ab cd ef gh", [0, 1, 2, 4, 5, 6, 9, 10, 11, 14, 15]),
    ("\u00a0x\u00a0\u00a0y \n", "x y", [1, 2, 4]),
    ("\tTab\r\nCRLF\x0b\x0c\x1c\x1f end", "Tab CRLF end", [1, 2, 3, 4, 6, 7, 8, 9, 10, 15, 16, 17]),
    ("\u3000全角\u3000line\u2028sep\x85x", "全角 line sep x", list(range(1, 14))),
])
def test_whitespace_runs_become_one_space(text: str, expected: str, starts: list[int]) -> None:
    n = normalize_text(text)
    assert (n.text, list(n.starts), n.evasions) == (expected, starts, frozenset())


def test_folds_evasions_and_maps_back() -> None:
    text = "Lương  cao\u200b ＋８４ ๑๒๓ 𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦 "
    n = normalize_text(text)
    assert n.text == "Lương cao +84 123 Telegram"
    i = n.text.index("Telegram")
    s, e = n.to_original(i, i + len("Telegram"))
    assert text[s:e] == "𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦"
    j = n.text.index("123")
    assert text[slice(*n.to_original(j, j + 3))] == "๑๒๓"


def test_records_which_evasions_were_folded() -> None:
    assert normalize_text("T.e.l.e.g.r.a.m").evasions == {"spaced"}
    assert normalize_text("Tele\u200bgram").evasions == {"invisible"}
    assert normalize_text("Теlеgrаm te1egram").evasions == {"confusable", "leet"}
    assert normalize_text("plain text").evasions == frozenset()
    assert normalize_text("emoji \u2764\ufe0f 1\ufe0f\u20e3").evasions == frozenset()


def test_confusable_table_maps_other_scripts_to_one_latin_letter() -> None:
    for table in (strict_table(), loose_table()):
        for src, dst in table.items():
            assert script_of(src) in {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "LATIN"}, src
            assert len(dst) == 1, (src, dst)
            assert unicodedata.normalize("NFD", dst)[0].isascii(), (src, dst)
            assert src != dst
    assert strict_table()["ё"] == "ë"  # generated from the decomposition of ё


@pytest.mark.parametrize("text", [
    "https://t.me/a-b-c-d", "a.b.c.d@mail.com", "example.com/x?q=a.b.c.d", "@a_b_c_d", "1/2/3/4 a/b/c/d",
])
def test_addresses_are_not_joined(text: str) -> None:
    assert normalize_text(text).text == text


SIGNAL_WORDS = st.sampled_from([
    "telegram", "WhatsApp", "te1egram", "5alary", "L0KER", "T.e.l.e.g.r.a.m", "W h a t s A p p", "Теlеgrаm",
    "[at]", "(dot)", "【点】", "1.5OO", "O912", "₱6O,OOO", "菠 菜", "ไ ล น์", "ก.ย.", "\u0301", "ำ", "𝟙𝟚", "①",
    "\u3000", "\x1c", "\u00a8", "가\u11a8", "\u1100\u1161", "e\u0323\u0302", "https://t.me/a-b-c-d", "@te1egram",
])


@settings(max_examples=400)
@given(st.text(max_size=120) | TRICKY | st.lists(SIGNAL_WORDS | TRICKY, max_size=8).map(" ".join))
def test_shortcuts_give_the_same_result(text: str) -> None:
    """The cheap checks that skip a pass or a round never change the result."""
    assert _normalize(text) == _normalize(text, fast=False)


@pytest.mark.parametrize("text", [
    "x\u0301 \u0301abc é\u0323 e\u0323\u0302 ำ a\u00a8 b", "𝟙𝟚𝟛 𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦 \U0001d7ce", "가\u11a8 \u1100\u1161 ǅ",
    "xte1egram te1egram. é5alary 5alary_ te1egram/x w4 #te1egram", "1.5OO O.1 O,O1 o1 1o", "(at) [a] 【at】 ( . )",
    "菠 菜 ไ ล น์ T . e . l . e W  h  a  t", "\u3000x\u3000 \x1cA\x1fB\u2028", "Tele\u200bgram\u202e \ufe0f",
])
def test_shortcuts_give_the_same_result_on_edge_cases(text: str) -> None:
    assert _normalize(text) == _normalize(text, fast=False)
