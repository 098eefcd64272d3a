from __future__ import annotations

import hashlib

import pytest

from pipeline import langid
from pipeline.langid import detect


@pytest.mark.parametrize(("text", "expected"), [
    ("We are hiring customer service agents, no experience needed, free flight and housing.", "en"),
    ("Tuyển nhân viên chăm sóc khách hàng, lương cao, bao ăn ở, liên hệ Zalo.", "vi"),
    ("Tuyen nhan vien cham soc khach hang luong cao bao an o lien he ngay", "vi"),
    ("รับสมัครพนักงานแอดมิน เงินเดือนสูง ทำงานที่กัมพูชา ติดต่อไลน์", "th"),
    ("招聘客服，月薪一万五，包吃包住，联系飞机", "zh"),
    ("Lowongan kerja admin di Kamboja, gaji besar, tiket gratis, silakan hubungi kami.", "id"),
    ("Jawatan kosong di syarikat kami, gaji lumayan, tiket percuma, sila hubungi melalui WhatsApp sahaja.", "ms"),
    ("Hiring ng customer service sa Cambodia, malaki ang sahod, libre ang pamasahe at tirahan.", "tl"),
    ("ជ្រើសរើសបុគ្គលិកផ្នែកសេវាអតិថិជន ប្រាក់ខែខ្ពស់", "km"),
    ("အလုပ်ခေါ်နေပါသည် လစာကောင်း ထိုင်းနိုင်ငံ", "my"),
    ("ຮັບສະໝັກພະນັກງານ ເງິນເດືອນສູງ", "lo"),
    ("රැකියා අවස්ථා ඉහළ වැටුප් විදේශ රැකියා", "si"),
])
def test_detects_each_language(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Thai post with English words, a handle and a URL is still Thai
    ("ด่วน!! รับสมัคร Customer Service ทำงาน online เงินเดือน 30,000 บาท ติดต่อ Telegram @job_th88 https://t.me/job_th88", "th"),
    # Chinese with Latin code words
    ("招 k 服，菠菜项目，日薪 500 USDT，联系 Telegram @bc_kf88", "zh"),
    # Khmer with an English brand name
    ("ក្រុមហ៊ុន ABC Online ជ្រើសរើសបុគ្គលិក", "km"),
    # obfuscated English is normalized first
    ("W.o.r.k in C4mbodia, high 5alary, contact T.e.l.e.g.r.a.m", "en"),
])
def test_mixed_script_posts(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "12345 +855 12 345 678", "🙂🙂✈️", "Привет, как дела?", "日本語のテキスト"])
def test_undetermined(text: str) -> None:
    assert detect(text) == "und"


def test_held_out_accuracy_on_seed() -> None:
    """Train on ~80% of the seed groups, test on the rest (split by group, never by row)."""
    rows = langid.seed_rows()

    def held_out(row: dict[str, object]) -> bool:
        return int(hashlib.sha256(str(row["group"]).encode()).hexdigest(), 16) % 5 == 0

    model = langid.NaiveBayes.train(langid.training_samples(r for r in rows if not held_out(r)))
    test = [r for r in rows if held_out(r)]
    correct = sum(detect(f"{r.get('title') or ''} {r['text']}", model) == r["lang"] for r in test)
    assert len(test) >= 50
    assert correct / len(test) >= 0.95


def test_profile_version_names_the_training_data() -> None:
    assert langid.profile_version().startswith("langid-nb.v1+")
    assert len(langid.profile_version()) == len("langid-nb.v1+") + 12
