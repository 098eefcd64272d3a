from __future__ import annotations

import pytest

from pipeline.records import Record
from pipeline.stages.extract import entities_for, extract, find_identifiers, identifier_pipeline


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Liên hệ Zalo 0912 345 678 ngay", "vi", [("phone", "+84912345678", "0912 345 678")]),
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
    got = sorted((e.type, e.value, text[e.start:e.end]) for e in entities_for(text, lang))
    assert got == sorted(expected)


def test_email_is_not_a_telegram_handle() -> None:
    types = {t for t, *_ in find_identifiers("write to someone@mail.example.org")}
    assert types == {"email"}


def test_obfuscated_digits_map_to_original_span() -> None:
    text = "Zalo: ０９１２\u200b３４５ ６７８"
    (ent,) = [e for e in entities_for(text, "vi") if e.type == "phone"]
    assert ent.value == "+84912345678"
    assert text[ent.start:ent.end].startswith("０９１２")


def test_spacy_component_sets_spans() -> None:
    nlp = identifier_pipeline()
    assert "lurewatch_identifiers_v1" in nlp.pipe_names
    doc = nlp("Telegram @recruit_asia hoặc +84 912 345 678")
    assert {s.label_ for s in doc.spans["identifiers"]} == {"telegram", "phone"}


def test_stage_sets_entities_on_title_and_text() -> None:
    r = Record.from_capture(source_id="s", source_kind="telegram", url="https://t.me/c/1",
                            title="Tuyển CSKH @tuyendung_88", text="Gọi 0912 345 678",
                            body_sha256="0" * 64, fetched_at="2026-11-28T00:00:00+00:00",
                            partition="2026-11-28", lang="vi")
    (out,) = list(extract([r]))
    fields = {(e.field, e.type) for e in out.entities}
    assert fields == {("title", "telegram"), ("text", "phone")}
    assert out.stages["extract"] == "extract.v1"
