"""Money amounts with currency and pay period (taxonomy ENT-10), normalized to USD per
month with the static, dated rates of ``rates.yaml`` (feeds JOB-01, pay far above market).

Forms: ``$1,500/month``, ``1500 USD``, ``US$800–1,500``, ``lương 25–35 triệu/tháng``,
``35,000 บาท``, ``3 หมื่นบาท/เดือน``, ``月薪1.5万``, ``日薪500元``, ``RM 3,500 sebulan``,
``₱25,000 monthly``, ``gaji Rp 8 juta/bulan``. A currency is required (a symbol, code or
word, or a multiplier that implies one: *triệu* → VND, *juta* → IDR, 万 → CNY, หมื่น → THB).
Without a period, a month is assumed (``period_assumed: true``).

Value: ``USD 1500/month`` (integers; a range ``USD 962-1346/month``). Extra: ``currency``
(ISO 4217), ``period`` (hour/day/week/month/year), ``amount`` (original currency, midpoint of
a range), ``low``/``high`` (original currency, ranges only), ``amount_usd_month``,
``low_usd_month``/``high_usd_month`` (ranges only), ``rates_date``.

Registers ``lurewatch_money_v1`` (config ``rates``: a path, default the bundled file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language

from pipeline.extractors.base import NO_HINTS, FinderComponent, Found, Hints, Spans

RATES = Path(__file__).with_name("rates.yaml")

_PRE = {"us$": "USD", "usd": "USD", "$": "USD", "฿": "THB", "thb": "THB", "rm": "MYR", "myr": "MYR",
        "₱": "PHP", "php": "PHP", "p": "PHP", "rp": "IDR", "rp.": "IDR", "idr": "IDR", "¥": "CNY", "rmb": "CNY",
        "cny": "CNY", "₫": "VND", "vnd": "VND", "₹": "INR", "inr": "INR", "rs": "LKR", "rs.": "LKR", "lkr": "LKR",
        "ks": "MMK", "mmk": "MMK", "k": "MMK", "khr": "KHR", "s$": "SGD", "sgd": "SGD", "aed": "AED",
        "hk$": "HKD", "hkd": "HKD", "₩": "KRW", "krw": "KRW", "€": "EUR", "eur": "EUR", "usdt": "USDT"}
_SUF = {"usd": "USD", "$": "USD", "usdt": "USDT", "美金": "USD", "美元": "USD", "u": "USDT", "đ": "VND", "₫": "VND",
        "vnd": "VND", "vnđ": "VND", "đồng": "VND", "baht": "THB", "bath": "THB", "บาท": "THB", "thb": "THB",
        "元": "CNY", "块": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY", "ringgit": "MYR", "myr": "MYR",
        "peso": "PHP", "pesos": "PHP", "php": "PHP", "rupiah": "IDR", "idr": "IDR", "riel": "KHR", "khr": "KHR",
        "kyat": "MMK", "kyats": "MMK", "mmk": "MMK", "inr": "INR", "lkr": "LKR", "sgd": "SGD", "aed": "AED",
        "dirham": "AED", "dirhams": "AED", "hkd": "HKD", "원": "KRW", "eur": "EUR", "euro": "EUR"}
#: Multiplier word → (factor, currency it implies or None).
_MULT = {"triệu": (1e6, "VND"), "trieu": (1e6, "VND"), "tr": (1e6, "VND"), "nghìn": (1e3, "VND"),
         "ngàn": (1e3, "VND"), "juta": (1e6, "IDR"), "jt": (1e6, "IDR"), "ribu": (1e3, "IDR"), "rb": (1e3, "IDR"),
         "万": (1e4, "CNY"), "萬": (1e4, "CNY"), "千": (1e3, "CNY"), "พัน": (1e3, "THB"), "หมื่น": (1e4, "THB"),
         "แสน": (1e5, "THB"), "만": (1e4, "KRW"), "k": (1e3, None), "million": (1e6, None), "mil": (1e6, None),
         "lakh": (1e5, None), "lakhs": (1e5, None)}
_PERIOD = {"month": "month", "months": "month", "mo": "month", "mth": "month", "tháng": "month", "เดือน": "month",
           "月": "month", "bulan": "month", "buwan": "month", "monthly": "month", "sebulan": "month",
           "perbulan": "month", "buwanan": "month", "每月": "month",
           "hour": "hour", "hr": "hour", "giờ": "hour", "ชั่วโมง": "hour", "小时": "hour", "jam": "hour",
           "oras": "hour", "hourly": "hour",
           "day": "day", "ngày": "day", "วัน": "day", "天": "day", "日": "day", "hari": "day", "araw": "day",
           "daily": "day", "sehari": "day", "每天": "day",
           "week": "week", "wk": "week", "tuần": "week", "สัปดาห์": "week", "周": "week", "星期": "week",
           "minggu": "week", "linggo": "week", "weekly": "week", "seminggu": "week",
           "year": "year", "yr": "year", "năm": "year", "ปี": "year", "年": "year", "tahun": "year", "taon": "year",
           "yearly": "year", "annually": "year", "setahun": "year", "annum": "year"}
_PREFIX_PERIOD = {"月薪": "month", "月入": "month", "月收入": "month", "底薪": "month", "月工资": "month",
                  "日薪": "day", "日结": "day", "周薪": "week", "时薪": "hour", "年薪": "year", "年收入": "year"}


def _alt(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = r"\d{1,3}(?:[,.]\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?![\d.,])|\d+(?:[.,]\d+)?"
_PRE_RX = rf"(?:{_alt([k for k in _PRE if k not in ('p', 'k')])}|[Pp](?=\d)|K(?=\d))"
_SUF_RX = rf"(?:{_alt(list(_SUF))})(?![A-Za-z])"
_MULT_RX = rf"(?:{_alt(list(_MULT))})(?![A-Za-z\u00c0-\u024f\u1e00-\u1eff])"
_PER_RX = (rf"(?:(?:/|per|a|an|each|every|mỗi|một|1|ต่อ|每|一个|/ )\s?)?(?:{_alt(list(_PERIOD))})"
           r"(?![A-Za-z\u00c0-\u024f\u1e00-\u1eff])")
#: what may come before the first number
_LEAD = (rf"(?<![\w.,$])(?:(?P<pper>{_alt(list(_PREFIX_PERIOD))})\s?[:：]?\s?(?:约|高达|最高|可达)?\s?)?"
         rf"(?P<pre1>{_PRE_RX})?\s?")
_MONEY = re.compile(
    rf"{_LEAD}(?P<n1>{_NUM})\s?(?P<m1>{_MULT_RX})?\s?(?P<s1>{_SUF_RX})?"
    rf"(?:\s?(?:-|–|—|~|〜|to|đến|tới|ถึง|至|到|hingga|sampai|hanggang)\s?(?P<pre2>{_PRE_RX})?\s?(?P<n2>{_NUM})"
    rf"\s?(?P<m2>{_MULT_RX})?)?"
    rf"\s?(?P<suf>{_SUF_RX})?(?:\s?(?P<per>{_PER_RX}))?",
    re.IGNORECASE)


@dataclass(frozen=True)
class Rates:
    date: str
    per_usd: dict[str, float]
    per_month: dict[str, float]


@lru_cache(maxsize=4)
def load_rates(path: str = str(RATES)) -> Rates:
    raw = yaml.safe_load(Path(path).read_text("utf-8"))
    return Rates(str(raw["date"]), {k: float(v) for k, v in raw["per_usd"].items()},
                 {k: float(v) for k, v in raw["per_month"].items()})


def parse_number(raw: str) -> float:
    """``1,500`` / ``1.500`` / ``35 000`` → thousands; ``1.5`` / ``8,5`` → decimals."""
    if re.fullmatch(r"\d{1,3}(?:([,. ])\d{3})(?:\1\d{3})*", raw):
        return float(re.sub(r"[,. ]", "", raw))
    return float(raw.replace(",", "."))


def _key(s: str | None) -> str:
    return (s or "").lower().strip()


def _period(m: re.Match[str]) -> str | None:
    if m.group("pper"):
        return _PREFIX_PERIOD[m.group("pper")]
    if m.group("per"):
        word = re.sub(r"^(?:/|per|a|an|each|every|mỗi|một|1|ต่อ|每|一个)\s?", "", m.group("per").strip(), flags=re.I)
        return _PERIOD.get(word.lower())
    return None


def read_amount(m: re.Match[str], rates: Rates) -> dict[str, Any] | None:
    """Currency, period and amounts of one match; None if it names no currency."""
    m1, m2 = _MULT.get(_key(m.group("m1"))), _MULT.get(_key(m.group("m2")))
    currency = (_PRE.get(_key(m.group("pre1"))) or _PRE.get(_key(m.group("pre2"))) or _SUF.get(_key(m.group("s1")))
                or _SUF.get(_key(m.group("suf"))) or (m1 or (None, None))[1] or (m2 or (None, None))[1])
    if currency is None or currency not in rates.per_usd:
        return None
    f1 = (m1 or m2 or (1.0, None))[0]
    f2 = (m2 or m1 or (1.0, None))[0]
    low = parse_number(m.group("n1")) * f1
    high = parse_number(m.group("n2")) * f2 if m.group("n2") else None
    if high is not None and high < low:
        return None
    period = _period(m)
    to_usd_month = rates.per_month[period or "month"] / rates.per_usd[currency]
    out: dict[str, Any] = {"currency": "USD" if currency == "USDT" else currency, "period": period or "month",
                           "period_assumed": period is None, "rates_date": rates.date}
    if high is None:
        out.update(amount=low, amount_usd_month=round(low * to_usd_month, 2))
    else:
        out.update(amount=(low + high) / 2, low=low, high=high,
                   amount_usd_month=round((low + high) / 2 * to_usd_month, 2),
                   low_usd_month=round(low * to_usd_month, 2), high_usd_month=round(high * to_usd_month, 2))
    return out


def money_value(info: dict[str, Any]) -> str:
    if "low_usd_month" in info:
        return f"USD {round(info['low_usd_month'])}-{round(info['high_usd_month'])}/month"
    return f"USD {round(info['amount_usd_month'])}/month"


def find_money(text: str, hints: Hints = NO_HINTS, found: Sequence[Found] = (),
               rates_path: str = str(RATES)) -> Iterator[Found]:
    rates = load_rates(rates_path)
    skip = Spans.of(found, "phone", "url", "email", "crypto_wallet", "whatsapp", "zalo", "wechat", "line")
    for m in _MONEY.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if skip.overlaps(start, end):
            continue
        info = read_amount(m, rates)
        if info is not None and info["amount_usd_month"] > 0:
            yield Found("money", money_value(info), start, end, info)


@Language.factory("lurewatch_money_v1", default_config={"rates": str(RATES)})
def make_money(nlp: Language, name: str, rates: str) -> FinderComponent:
    load_rates(rates)

    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_money(text, hints, found, rates)
    return FinderComponent(run)
