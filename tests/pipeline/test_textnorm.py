from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.textnorm import normalize_text

TRICKY = st.text(alphabet=st.sampled_from(list(
    "abcT.el gram@0123456789 \n\t\u200b\u200d\ufeff\u00ad１２３ＡＢＣ๑๒๓១២៣𝐓𝐞𝐥ﬁ①Ⅻ㎏ẹ̀ệ"
)), max_size=60)


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


def test_folds_evasions_and_maps_back() -> None:
    text = "Lương  cao\u200b ＋８４ ๑๒๓ 𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦 "
    n = normalize_text(text)
    assert n.text == "Lương cao +84 123 Telegram"
    i = n.text.index("Telegram")
    s, e = n.to_original(i, i + len("Telegram"))
    assert text[s:e] == "𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦"
    j = n.text.index("123")
    assert text[slice(*n.to_original(j, j + 3))] == "๑๒๓"
