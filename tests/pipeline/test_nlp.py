from __future__ import annotations

import pytest

from pipeline.nlp import get_nlp, pipeline_lang


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "Free flight to Cambodia!", ["Free", "flight", "to", "Cambodia", "!"]),
    ("vi", "Tuyển nhân viên lương cao", ["Tuyển", "nhân viên", "lương", "cao"]),
    ("th", "รับสมัครงานเงินเดือนสูง", ["รับ", "สมัครงาน", "เงินเดือน", "สูง"]),
    ("zh", "招聘客服日薪五百", ["招聘", "客服", "日薪", "五百"]),
    ("id", "Lowongan kerja, gaji besar.", ["Lowongan", "kerja", ",", "gaji", "besar", "."]),
    ("ms", "Jawatan kosong, gaji lumayan.", ["Jawatan", "kosong", ",", "gaji", "lumayan", "."]),
    ("tl", "Malaki ang sahod, libre ang pamasahe.", ["Malaki", "ang", "sahod", ",", "libre", "ang", "pamasahe", "."]),
    ("km", "ប្រាក់ខែខ្ពស់ ធ្វើការ", ["ប្រាក់ខែខ្ពស់", "ធ្វើការ"]),
    ("my", "လစာကောင်း အလုပ်", ["လစာကောင်း", "အလုပ်"]),
    ("lo", "ເງິນເດືອນສູງ ວຽກ", ["ເງິນເດືອນສູງ", "ວຽກ"]),
    ("si", "ඉහළ වැටුප්", ["ඉහළ", "වැටුප්"]),
])
def test_tokenizes_each_language(lang: str, text: str, expected: list[str]) -> None:
    doc = get_nlp(lang)(text)
    assert doc.text == text
    assert [t.text for t in doc if not t.is_space] == expected


@pytest.mark.parametrize(("lang", "code"), [
    ("en", "en"), ("vi", "vi"), ("th", "th"), ("zh", "zh"), ("id", "id"), ("ms", "ms"), ("tl", "tl"),
    ("si", "si"), ("km", "xx"), ("my", "xx"), ("lo", "xx"), ("und", "xx"), (None, "xx"), ("", "xx"),
    ("EN", "en"), ("../etc", "xx"), ("qq", "xx"),
])
def test_pipeline_language(lang: str | None, code: str) -> None:
    assert pipeline_lang(lang) == code
    assert get_nlp(lang).lang == code


def test_pipelines_are_cached_and_blank() -> None:
    assert get_nlp("vi") is get_nlp("vi")
    assert get_nlp("km") is get_nlp("und")
    assert get_nlp("en").pipe_names == []


@pytest.mark.parametrize("lang", ["th", "zh", "vi", "km"])
def test_character_spans_align_to_tokens(lang: str) -> None:
    """Components locate identifiers by character offsets; the tokenizers keep the text."""
    text = {"th": "ติดต่อ@job_th88โทร0812345678", "zh": "联系飞机@bc_kf88日薪500",
            "vi": "Liên hệ Zalo 0912345678 ngay", "km": "ទាក់ទង @job_kh88 ឥឡូវ"}[lang]
    doc = get_nlp(lang).make_doc(text)
    assert doc.text == text
    start = text.index("@") if "@" in text else text.index("0912")
    span = doc.char_span(start, start + 9, alignment_mode="expand")
    assert span is not None
    assert span.start_char <= start
