from __future__ import annotations

import pytest
import spacy

from pipeline.extractors import COMPONENTS, ENTITY_TYPES
from pipeline.extractors.find import find_entities, find_identifiers, identifier_pipeline
from pipeline.records import Record
from pipeline.stages.signals import signals


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Liên hệ Zalo 0912 345 678 ngay", "vi",
     [("phone", "+84912345678", "0912 345 678"), ("zalo", "+84912345678", "0912 345 678")]),
    ("Call +855 96 765 4321 today", None, [("phone", "+855967654321", "+855 96 765 4321")]),
    ("Telegram @HR_Asia_Jobs88 now", None, [("telegram", "hr_asia_jobs88", "@HR_Asia_Jobs88")]),
    ("join t.me/Tuyen_Dung_CSKH, hurry", None,
     [("telegram", "tuyen_dung_cskh", "t.me/Tuyen_Dung_CSKH"), ("url", "t.me/Tuyen_Dung_CSKH", "t.me/Tuyen_Dung_CSKH")]),
    ("chat https://wa.me/855961234567 now", None,
     [("url", "https://wa.me/855961234567", "https://wa.me/855961234567"),
      ("whatsapp", "+855961234567", "https://wa.me/855961234567")]),
    ("mail HR.Jobs@Example.com please", None, [("email", "hr.jobs@example.com", "HR.Jobs@Example.com")]),
    ("apply at https://careers.example.com/jobs/42.", None,
     [("url", "https://careers.example.com/jobs/42", "https://careers.example.com/jobs/42")]),
])
def test_identifiers(text: str, lang: str | None, expected: list[tuple[str, str, str]]) -> None:
    got = sorted((e.type, e.value, text[e.start:e.end]) for e in find_entities(text, lang))
    assert got == sorted(expected)


def test_email_is_not_a_telegram_handle() -> None:
    types = {t for t, *_ in find_identifiers("write to someone@mail.example.org")}
    assert types == {"email"}


def test_obfuscated_digits_map_to_original_span() -> None:
    text = "Zalo: ０９１２\u200b３４５ ６７８"
    (ent,) = [e for e in find_entities(text, "vi") if e.type == "phone"]
    assert ent.value == "+84912345678"
    assert text[ent.start:ent.end].startswith("０９１２")


def test_spacy_component_sets_spans() -> None:
    nlp = identifier_pipeline()
    assert nlp.pipe_names == list(COMPONENTS)
    assert identifier_pipeline() is nlp  # built once
    doc = nlp("Telegram @recruit_asia hoặc +84 912 345 678")
    assert {s.label_ for s in doc.spans["identifiers"]} == {"telegram", "phone"}


def test_combined_component_on_blank_doc() -> None:
    nlp = spacy.blank("xx")
    nlp.add_pipe("lurewatch_identifiers_v1")
    doc = nlp("Sihanoukville, $1,500/month, age 18-30, wa.me/855961234567")
    assert {s.label_ for s in doc.spans["identifiers"]} == {"location", "money", "age", "url", "whatsapp"}


def test_stage_sets_entities_on_title_and_text() -> None:
    r = Record.from_capture(source_id="s", source_kind="telegram", url="https://t.me/c/1",
                            title="Tuyển CSKH @tuyendung_88", text="Gọi 0912 345 678",
                            body_sha256="0" * 64, fetched_at="2026-11-28T00:00:00+00:00",
                            partition="2026-11-28", lang="vi")
    (out,) = list(signals([r]))
    fields = {(e.field, e.type) for e in out.entities}
    assert fields == {("title", "telegram"), ("text", "phone")}
    assert out.stages["extract"] == "extract.v3"


POST = ("Tuyển 20 bạn CSKH đi Ｃａｍｐｕｃｈｉａ (Xi-ha-núc), lương 25–35 triệu/tháng, tuổi từ 18 đến 30. "
        "Zalo: ０９１２\u200b３４５ ６７８, Telegram @tuyen_gap, WA +855 96 765 4321, LINE ID: job_th88, "
        "微信：abc_hr2024, m.me/hr.page, mail hr [at] gmail [dot] com, link bit.ly/3xYz, "
        "USDT TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t, bad TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T")


def test_every_type_and_offsets_into_original_text() -> None:
    found = find_entities(POST, "vi")
    assert {f.type for f in found} == set(ENTITY_TYPES)
    for f in found:
        assert 0 <= f.start < f.end <= len(POST)
        raw = POST[f.start:f.end]
        assert raw == raw.strip()
    by = {(f.type, f.value): POST[f.start:f.end] for f in found}
    assert by[("location", "Cambodia")] == "Ｃａｍｐｕｃｈｉａ"
    assert by[("zalo", "+84912345678")] == "０９１２\u200b３４５ ６７８"
    assert by[("email", "hr@gmail.com")] == "hr [at] gmail [dot] com"
    assert by[("crypto_wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")] == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert ("crypto_wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T") not in by
    assert ("whatsapp", "+855967654321") in by
    assert ("line", "job_th88") in by
    assert ("wechat", "abc_hr2024") in by
    assert ("messenger", "hr.page") in by
    assert by[("money", "USD 962-1346/month")] == "25–35 triệu/tháng"
    assert by[("age", "18-30")] == "tuổi từ 18 đến 30"


def test_find_identifiers_keeps_tuple_contract() -> None:
    got = find_identifiers("Call +855 96 765 4321 or mail a.b@example.com")
    assert got == [("phone", "+855967654321", 5, 21), ("email", "a.b@example.com", 30, 45)]
