from __future__ import annotations

import pytest

from pipeline.extractors.base import Hints
from pipeline.extractors.messaging import find_messaging


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Telegram @HR_Asia_Jobs88 now", None, [("telegram", "hr_asia_jobs88", "@HR_Asia_Jobs88")]),
    ("Telegram: recruiter_kh", "en", [("telegram", "recruiter_kh", "recruiter_kh")]),
    ("join t.me/Tuyen_Dung_CSKH, hurry", None, [("telegram", "tuyen_dung_cskh", "t.me/Tuyen_Dung_CSKH")]),
    ("https://telegram.me/s/AsiaJobs", None, [("telegram", "asiajobs", "https://telegram.me/s/AsiaJobs")]),
    ("tg://resolve?domain=recruit_hr", None, [("telegram", "recruit_hr", "tg://resolve?domain=recruit_hr")]),
    ("chat https://wa.me/855961234567 now", None, [("whatsapp", "+855961234567", "https://wa.me/855961234567")]),
    ("api.whatsapp.com/send?phone=639171234567", None,
     [("whatsapp", "+639171234567", "api.whatsapp.com/send?phone=639171234567")]),
    ("WhatsApp: +855 96 765 4321", None, [("whatsapp", "+855967654321", "+855 96 765 4321")]),
    ("WA 096 765 4321 (Cambodia)", "en", [("whatsapp", "+855967654321", "096 765 4321")]),
    ("Whatsapp:+63 917 123 4567", "en", [("whatsapp", "+639171234567", "+63 917 123 4567")]),
    ("LINE ID: thai_job88", "th", [("line", "thai_job88", "thai_job88")]),
    ("ติดต่อไลน์ไอดี: jobthai99", "th", [("line", "jobthai99", "jobthai99")]),
    ("Line: @abcjob", "th", [("line", "abcjob", "@abcjob")]),
    ("https://line.me/R/ti/p/~hr.bkk", "th", [("line", "hr.bkk", "https://line.me/R/ti/p/~hr.bkk")]),
    ("line.me/ti/p/~Job_TH", "th", [("line", "job_th", "line.me/ti/p/~Job_TH")]),
    ("加微信：abc_hr2024 详聊", "zh", [("wechat", "abc_hr2024", "abc_hr2024")]),
    ("WeChat ID: KH_Recruit88", "en", [("wechat", "kh_recruit88", "KH_Recruit88")]),
    ("VX: wx123456", "zh", [("wechat", "wx123456", "wx123456")]),
    ("V信 hr886688", "zh", [("wechat", "hr886688", "hr886688")]),
    ("Liên hệ Zalo: 0912 345 678", "vi", [("zalo", "+84912345678", "0912 345 678")]),
    ("zalo.me/0912345678", "vi", [("zalo", "+84912345678", "zalo.me/0912345678")]),
    ("zalo.me/hrvietjob", "vi", [("zalo", "hrvietjob", "zalo.me/hrvietjob")]),
    ("inbox m.me/HR.Page88 now", None, [("messenger", "hr.page88", "m.me/HR.Page88")]),
])
def test_messaging(text: str, lang: str | None, expected: list[tuple[str, str, str]]) -> None:
    got = [(f.type, f.value, text[f.start:f.end]) for f in find_messaging(text, Hints(lang))]
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize("text", ["the line was busy", "Telegram channel news", "a WA state job 12", "Zalo"])
def test_no_handle_in_prose(text: str) -> None:
    assert list(find_messaging(text, Hints("en"))) == []


def test_component_on_blank_doc(blank) -> None:
    nlp = blank("lurewatch_emails_v1", "lurewatch_messaging_v1")
    doc = nlp("write to someone@mail.example.org or @recruit_asia")
    assert [(s.label_, s.kb_id_) for s in doc.spans["identifiers"]] == [
        ("email", "someone@mail.example.org"), ("telegram", "recruit_asia")]
