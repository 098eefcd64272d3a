"""The fast path of :func:`pipeline.textnorm._normalize` (its cheap checks and shortcuts)
gives exactly the result of ``fast=False`` on long, mixed texts.

Why pass 1's ``settled`` may end the normalization early: the steps before NFKC (removal,
digits, spaces) leave nothing for themselves to do; outside the NFKC results, clusters are
as NFKC left them (a result of characters without marks, each one stable, takes no mark from
a neighbour); the space collapse only removes spaces (a mark after a removed space follows
another space, or starts the text: stable either way). So only an NFKC result holding a
mark, a character NFKC changes, an invisible character, a local digit or whitespace other
than " " can give pass 1 more work; the edge cases below hold such results.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.textnorm import _normalize

PIECES = st.sampled_from([
    "hello", "Work", "salary", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2028", "\u200b", "\u200d",
    "\ufe0f", "\u20e3", "\u202e", "\u00ad", "\u201c", "\u201d", "\u2019", "\u2022", "\u2013", "\u2026", "\uff1a",
    "ＡＢＣ", "１２３", "ｔｅｌｅ", "𝐓𝐞𝐥", "\U0001d7ce", "😀", "①", "ﬁ", "㎏", "ติดต่อ", "ทำงาน", "ไ ล น์", "อยู่", "ท่ี",
    "น ๆ ข", "๑๒", "ក្រុមហ៊ុន", "១២", "liên hệ", "Việt", "ẹ̀", "e\u0301", "\u0301", "\u0323\u0302", "\u0302\u0323",
    "가", "\u1100\u1161", "\u1161", "\u11a8", "\u0b47\u0b3e", "аеорс", "Теlеgrаm", "Привет", "Ωμέγα", "[at]", "(dot)",
    "【at】", "{@}", "[a]", "( . )", "t e l e g r a m", "W.h.a.t.s", "T - e - l - e", "te1egram", "wh4tsapp", "5alary",
    "5O,OOO", "1.5OO", "O..1", "o,,,1", "₱6O,OOO", "菠 菜", "工作", "a.b.c.d@mail.com", "t.me/a-b-c-d", "@user", "$5",
    "0912 345 678", ".", ",", "-", "*", "|", "/", "O", "o", "0", "1", "x", "I", "a", "ｶﾞ", "\u0f73", "\u00a8",
])
MIXED = st.lists(PIECES, max_size=60).map("".join) | st.lists(PIECES, max_size=60).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_fast_path_gives_the_same_result(text: str) -> None:
    assert _normalize(text) == _normalize(text, fast=False)


@pytest.mark.parametrize("text", [
    "  lead and trail  ", " ", "   ", "a  b   c\n\n d \n", "\u00a0x\u00a0\u00a0y \n",
    "ทำ ทำ x ทำ\u0302\u0323 a\u0323\u0302", "x\u0301 \u0301 \u0302\u0323 😀\u0301\u0323", "O,,,1 1..o o.1 1o",
    "น ๆ ข ก.ข.ค ไ ล น์", "a U.S. ok 4 x 6 T.e.l.e", "𝐓𝐞𝐥 \u1100\u1161 가\u11a8",
    # NFKC results that pass 1 acts on again (a mark from "ﾞ" or "\u0f73" joins the cluster
    # before it); "ำ" gives two characters it leaves alone
    "ｶﾞ", "a\u0f73\u0301 x", "x \u309b\u00a8 ท\u0e33 \u0e33\u0301", "\u00a0\u0301  \u0301 ｶﾞ ",
])
def test_fast_path_gives_the_same_result_on_edge_cases(text: str) -> None:
    assert _normalize(text) == _normalize(text, fast=False)
