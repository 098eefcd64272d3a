from __future__ import annotations

import pytest

from pipeline.extractors.ages import find_ages
from pipeline.extractors.locations import countries_mentioned, find_places, load_gazetteer
from pipeline.extractors.money import find_money, load_rates


@pytest.mark.parametrize(("text", "raw", "currency", "period", "usd_month"), [
    ("High salary $1,500/month", "$1,500/month", "USD", "month", 1500),
    ("earn 1500 USD", "1500 USD", "USD", "month", 1500),
    ("lương 25–35 triệu/tháng, bao ăn ở", "25–35 triệu/tháng", "VND", "month", 1154),
    ("35,000 บาท", "35,000 บาท", "THB", "month", 1014),
    ("3 หมื่นบาท/เดือน", "3 หมื่นบาท/เดือน", "THB", "month", 870),
    ("月薪1.5万", "月薪1.5万", "CNY", "month", 2113),
    ("日薪500元", "日薪500元", "CNY", "day", 1831),
    ("RM 3,500 sebulan", "RM 3,500 sebulan", "MYR", "month", 795),
    ("₱25,000 monthly", "₱25,000 monthly", "PHP", "month", 431),
    ("gaji Rp 8 juta/bulan", "Rp 8 juta/bulan", "IDR", "month", 491),
    ("1200$/tháng", "1200$/tháng", "USD", "month", 1200),
    ("US$800–1,500", "US$800–1,500", "USD", "month", 1150),
    ("pay 15.000.000đ/tháng", "15.000.000đ/tháng", "VND", "month", 577),
    ("salary $2,000 a month", "$2,000 a month", "USD", "month", 2000),
    ("$500 per week", "$500 per week", "USD", "week", 2165),
])
def test_money(text: str, raw: str, currency: str, period: str, usd_month: int) -> None:
    (f,) = find_money(text)
    assert text[f.start:f.end] == raw
    assert (f.extra["currency"], f.extra["period"]) == (currency, period)
    assert round(f.extra["amount_usd_month"]) == usd_month
    assert f.value.startswith("USD ")
    assert f.value.endswith("/month")


def test_money_range_fields() -> None:
    (f,) = find_money("lương 25-35 triệu/tháng")
    assert f.value == "USD 962-1346/month"
    assert (f.extra["low"], f.extra["high"]) == (25e6, 35e6)
    assert f.extra["low_usd_month"] < f.extra["amount_usd_month"] < f.extra["high_usd_month"]


@pytest.mark.parametrize("text", ["Age 18-30", "Tuyển 20 bạn", "working 10-12 hours", "0912 345 678"])
def test_not_money(text: str) -> None:
    assert list(find_money(text)) == []


def test_rates_are_dated() -> None:
    rates = load_rates()
    assert rates.date == "2026-11"
    assert rates.per_usd["USD"] == 1
    (f,) = find_money("$100")
    assert f.extra["period_assumed"] is True
    assert f.extra["rates_date"] == "2026-11"


@pytest.mark.parametrize(("text", "raw", "value"), [
    ("Age 18-30. No experience", "Age 18-30", "18-30"),
    ("aged 20 to 35", "aged 20 to 35", "20-35"),
    ("18-35 years old", "18-35 years old", "18-35"),
    ("tuổi từ 18 đến 30", "tuổi từ 18 đến 30", "18-30"),
    ("độ tuổi 18-30", "độ tuổi 18-30", "18-30"),
    ("อายุ 18-35 ปี", "อายุ 18-35 ปี", "18-35"),
    ("年龄18-30岁", "年龄18-30岁", "18-30"),
    ("18至30岁", "18至30岁", "18-30"),
    ("umur 18-30 tahun", "umur 18-30 tahun", "18-30"),
    ("edad 18-30", "edad 18-30", "18-30"),
    ("age 18+", "age 18+", "18+"),
    ("trên 18 tuổi", "trên 18 tuổi", "18+"),
    ("Age: 25", "Age: 25", "25"),
])
def test_ages(text: str, raw: str, value: str) -> None:
    (f,) = find_ages(text)
    assert (text[f.start:f.end], f.value) == (raw, value)


@pytest.mark.parametrize("text", ["lương 25-35 triệu", "working 10-12 hours", "từ 20-25 ngày", "age 5-9"])
def test_not_ages(text: str) -> None:
    assert list(find_ages(text)) == []


@pytest.mark.parametrize(("text", "raw", "value", "kind"), [
    ("Work in Sihanoukville", "Sihanoukville", "Sihanoukville", "hub"),
    ("西港高薪招聘", "西港", "Sihanoukville", "hub"),
    ("ไปทำงานที่สีหนุวิลล์", "สีหนุวิลล์", "Sihanoukville", "hub"),
    ("làm việc ở Xi-ha-núc", "Xi-ha-núc", "Sihanoukville", "hub"),
    ("ไปปอยเปต", "ปอยเปต", "Poipet", "hub"),
    ("妙瓦底园区", "妙瓦底", "Myawaddy", "hub"),
    ("ไปเมียวดี", "เมียวดี", "Myawaddy", "hub"),
    ("မြဝတီ အလုပ်", "မြဝတီ", "Myawaddy", "hub"),
    ("office near KK Park", "KK Park", "KK Park", "hub"),
    ("Shwe Kokko casino", "Shwe Kokko", "Shwe Kokko", "hub"),
    ("金三角经济特区", "金三角经济特区", "Golden Triangle", "hub"),
    ("đặc khu Tam giác vàng", "Tam giác vàng", "Golden Triangle", "hub"),
    ("meet in Mae Sot", "Mae Sot", "Mae Sot", "transit"),
    ("fly to Dubai first", "Dubai", "Dubai", "transit"),
    ("đi Campuchia", "Campuchia", "Cambodia", "country"),
    ("ไปกัมพูชา", "กัมพูชา", "Cambodia", "country"),
    ("柬埔寨工作", "柬埔寨", "Cambodia", "country"),
    ("kerja di Kamboja", "Kamboja", "Cambodia", "country"),
    ("sang Việt Nam", "Việt Nam", "Vietnam", "country"),
])
def test_places(text: str, raw: str, value: str, kind: str) -> None:
    (f,) = find_places(text)
    assert (text[f.start:f.end], f.value, f.extra["kind"]) == (raw, value, kind)


def test_latin_aliases_need_word_boundaries() -> None:
    assert list(find_places("Bavetta and Dubaians")) == []


def test_countries_mentioned() -> None:
    assert countries_mentioned("Bavet, Campuchia; sau đó Việt Nam") == ["KH", "VN"]


def test_gazetteer_rejects_bad_entry(tmp_path) -> None:
    bad = tmp_path / "g.yaml"
    bad.write_text("- {name: X, kind: city, country: KH, aliases: [X]}\n", "utf-8")
    with pytest.raises(ValueError, match="entry 1"):
        load_gazetteer(str(bad))
