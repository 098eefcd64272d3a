from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.literals import folded
from pipeline.indicators import PatternSet, indicator_hits, literal_positions, load_indicators
from pipeline.records import IndicatorHit, Record
from pipeline.stages.signals import signals

CATALOGUE = yaml.safe_load(resources.files("pipeline").joinpath("indicators.yaml").read_text("utf-8"))
RECRUITMENT_GROUPS = ("JOB", "TRV", "LOC", "CON", "EMP", "REQ", "FEE", "DOC", "URG")

AD = ("URGENT HIRING: customer service, high salary USD 1500/month, free air ticket and accommodation. "
      "Work in Sihanoukville, Cambodia. No experience needed. Contact via Telegram @kh_hr_desk.")
WARNING = ("Police warn job seekers: ads like the one below lured dozens to Sihanoukville, where they "
           "were rescued from a scam compound last month. Beware of such offers.\n\"" + AD + "\"")


def _total(hits: list) -> float:
    return sum(h.weight for h in hits)


def test_catalogue_loads_with_sources_and_compiles() -> None:
    inds = load_indicators()
    ids = {i.id for i in inds}
    assert {"JOB-01", "TRV-01", "LOC-01", "CON-01", "CTX-WARN", "COMBO-01"} <= ids
    assert all(i.patterns or i.all_of for i in inds)
    assert all(item["sources"] for item in CATALOGUE)


@pytest.mark.parametrize("group", RECRUITMENT_GROUPS)
def test_every_recruitment_group_has_patterns_in_several_languages(group: str) -> None:
    langs = {lang for item in CATALOGUE if item["id"].startswith(group + "-")
             for lang, pats in (item.get("patterns") or {}).items() if pats}
    assert len(langs) >= 3, f"{group}: {sorted(langs)}"


def test_unverified_patterns_exist_in_their_indicator() -> None:
    for item in CATALOGUE:
        pats = {p for ps in (item.get("patterns") or {}).values() for p in ps}
        assert set(item.get("unverified") or []) <= pats, item["id"]


@pytest.mark.parametrize(("lang", "text", "ind", "evidence"), [
    # JOB: offer
    ("en", "Very high salary for chat staff", "JOB-01", "high salary"),
    ("vi", "Việc nhẹ lương cao, bao ăn ở, đi Campuchia", "JOB-01", "Việc nhẹ lương cao"),
    ("th", "งานนี้ค่าตอบแทนสูงมาก", "JOB-01", "ค่าตอบแทนสูง"),
    ("zh", "高薪招聘客服，包吃包住", "JOB-01", "高薪"),
    ("id", "Gaji tinggi, kerja di Kamboja", "JOB-01", "Gaji tinggi"),
    ("tl", "Malaking sahod sa abroad", "JOB-01", "Malaking sahod"),
    ("en", "An easy job, just chat with clients", "JOB-02", "easy job"),
    ("th", "งานง่าย ได้เงินดี", "JOB-02", "งานง่าย"),
    ("vi", "Không cần kinh nghiệm", "JOB-03", "Không cần kinh nghiệm"),
    ("tl", "Hiring call center agent ngayon", "JOB-04", "call center agent"),
    ("zh", "招菠菜行业推广", "JOB-05", "菠菜"),
    ("id", "Ada lowongan scammer di sana", "JOB-07", "lowongan scammer"),
    # TRV: travel
    ("en", "Free air ticket and visa arranged by us", "TRV-01", "Free air ticket"),
    ("zh", "高薪招聘客服，包吃包住", "TRV-01", "包吃包住"),
    ("th", "งานง่าย ได้เงินดี ที่พักฟรี", "TRV-01", "ที่พักฟรี"),
    ("vi", "Tặng vé máy bay miễn phí", "TRV-01", "vé máy bay miễn phí"),
    ("en", "You will come on a tourist visa", "TRV-02", "tourist visa"),
    ("id", "Berangkat pakai visa turis saja", "TRV-02", "visa turis"),
    ("tl", "Kailangan mong magpanggap na turista", "TRV-02", "magpanggap"),
    ("zh", "落地有人接", "TRV-03", "落地有人接"),
    ("vi", "Công ty ứng trước tiền vé", "TRV-05", "ứng trước tiền"),
    # LOC: destination
    ("en", "Work in Sihanoukville, Cambodia", "LOC-01", "Sihanoukville"),
    ("th", "ทำงานที่ปอยเปต", "LOC-01", "ปอยเปต"),
    ("id", "Gaji tinggi, kerja di Kamboja", "LOC-03", "Kamboja"),
    ("vi", "Sang Campuchia làm việc", "LOC-03", "Campuchia"),
    ("zh", "柬埔寨急招", "LOC-03", "柬埔寨"),
    ("th", "เดินทางไปแม่สอด", "LOC-02", "แม่สอด"),
    # CON: contact channel
    ("en", "Contact via Telegram for details", "CON-01", "Contact via Telegram"),
    ("vi", "Liên hệ qua Zalo ngay", "CON-01", "Liên hệ qua Zalo"),
    ("zh", "有意者加微信", "CON-01", "加微信"),
    ("th", "สนใจแอดไลน์", "CON-01", "แอดไลน์"),
    ("id", "Hubungi via WA sekarang", "CON-01", "Hubungi via WA"),
    ("tl", "Interested? PM lang", "CON-01", "PM lang"),
    ("en", "Interview is a typing test on chat", "CON-02", "typing test"),
    # EMP: employer opacity
    ("en", "Join an international company abroad", "EMP-01", "international company"),
    ("id", "Perusahaan start-up di luar negeri", "EMP-01", "Perusahaan start-up"),
    ("zh", "正规公司，放心", "EMP-01", "正规公司"),
    ("vi", "Làm cho công ty nước ngoài", "EMP-01", "công ty nước ngoài"),
    ("en", "There is no written contract", "EMP-02", "no written contract"),
    ("zh", "到了再签合同", "EMP-02", "到了再签合同"),
    ("th", "เพจกรมจัดหางาน", "EMP-03", "กรมจัดหางาน"),
    # REQ: targeting
    ("en", "Age 18-30, cheerful personality", "REQ-03", "Age 18-30"),
    ("zh", "年龄18-30岁", "REQ-03", "年龄18-30"),
    ("vi", "Tuổi từ 18 đến 30", "REQ-03", "Tuổi từ 18 đến 30"),
    ("th", "อายุ 18-30 ปี", "REQ-03", "อายุ 18-30"),
    ("vi", "Yêu cầu biết tiếng Trung", "REQ-01", "biết tiếng Trung"),
    ("zh", "会打字就行", "REQ-02", "会打字"),
    ("id", "Khusus WNI", "REQ-04", "Khusus WNI"),
    # FEE: fees
    ("en", "A processing fee applies", "FEE-01", "processing fee"),
    ("vi", "Đóng phí giữ chỗ 2 triệu", "FEE-01", "phí giữ chỗ"),
    ("zh", "需交押金", "FEE-01", "押金"),
    ("tl", "May placement fee na P10,000", "FEE-01", "placement fee"),
    ("id", "Ada biaya pendaftaran", "FEE-01", "biaya pendaftaran"),
    ("th", "ไม่มีค่าสมัคร", "FEE-01", "ค่าสมัคร"),
    # DOC: documents
    ("en", "Please send a copy of your passport today", "DOC-01", "send a copy of your passport"),
    ("zh", "先发护照复印件", "DOC-01", "护照复印件"),
    ("vi", "Gửi ảnh hộ chiếu để đặt vé", "DOC-01", "Gửi ảnh hộ chiếu"),
    ("id", "Kirim paspor ke admin", "DOC-01", "Kirim paspor"),
    ("en", "Offer letter sent within a day", "DOC-02", "Offer letter"),
    # URG: urgency
    ("en", "Urgent hiring, 20 seats", "URG-01", "Urgent hiring"),
    ("vi", "Tuyển gấp 10 bạn", "URG-01", "Tuyển gấp"),
    ("th", "รอบนี้มีจำนวนจำกัด", "URG-01", "รอบนี้มีจำนวนจำกัด"),
    ("zh", "急招客服", "URG-01", "急招"),
    ("id", "Dibutuhkan segera", "URG-01", "Dibutuhkan segera"),
    # CTX: warning / news context
    ("en", "Police warn of fake jobs abroad", "CTX-WARN", "Police warn"),
    ("en", "Twelve workers were rescued on Monday", "CTX-WARN", "were rescued"),
    ("en", "Beware of fake jobs", "CTX-WARN", "Beware of"),
    ("vi", "Cảnh báo thủ đoạn lừa đảo việc nhẹ lương cao", "CTX-WARN", "Cảnh báo"),
    ("th", "เตือนภัยงานต่างประเทศ", "CTX-WARN", "เตือนภัย"),
    ("zh", "警惕高薪陷阱", "CTX-WARN", "警惕"),
    ("id", "Waspada lowongan kerja palsu", "CTX-WARN", "Waspada"),
    ("tl", "Babala sa mga trabaho sa abroad", "CTX-WARN", "Babala"),
    ("ms", "Amaran: tawaran kerja palsu", "CTX-WARN", "Amaran"),
])
def test_hits_carry_evidence_from_the_original_text(lang: str, text: str, ind: str, evidence: str) -> None:
    hits = [h for h in indicator_hits(text) if h.id == ind]
    assert hits, f"{ind} did not fire on {lang} {text!r}"
    assert any(text[h.start:h.end] == h.evidence == evidence for h in hits), [h.evidence for h in hits]


def test_obfuscated_text_still_points_into_the_capture() -> None:
    text = "ＦＲＥＥ  air\u200b ticket to Ｃａｍｂｏｄｉａ"
    hits = {h.id: h for h in indicator_hits(text)}
    assert text[hits["TRV-01"].start:hits["TRV-01"].end] == "ＦＲＥＥ  air\u200b ticket"
    assert text[hits["LOC-03"].start:hits["LOC-03"].end] == "Ｃａｍｂｏｄｉａ"


@pytest.mark.parametrize(("text", "ind", "weight"), [
    ("Kerja di 西港", "LOC-01", 0.25),                 # taxonomy "# verify"
    ("灰产项目招人", "JOB-07", 0.25),                   # taxonomy "# verify"
    ("Lowongan, usia 18-30", "REQ-03", 0.25),           # LureWatch EXTRA_PATTERNS (unverified)
    ("Work in Sihanoukville", "LOC-01", 2.0),           # sourced
    ("Age 18-30 only", "REQ-03", 0.5),                  # sourced
])
def test_unverified_patterns_carry_the_low_weight(text: str, ind: str, weight: float) -> None:
    (hit,) = [h for h in indicator_hits(text) if h.id == ind]
    assert hit.weight == weight


PARTS = {"pay": "High salary for chat staff.", "place": "Based in Poipet.", "contact": "Contact via WhatsApp."}


def test_combination_fires_when_all_parts_do_with_the_parts_as_evidence() -> None:
    text = " ".join(PARTS.values())
    combo = [h for h in indicator_hits(text) if h.id == "COMBO-01"]
    assert [h.evidence for h in combo] == ["High salary", "Poipet", "Contact via WhatsApp"]
    assert all(text[h.start:h.end] == h.evidence for h in combo)
    assert sum(h.weight for h in combo) == pytest.approx(2.0)


@pytest.mark.parametrize("missing", list(PARTS))
def test_combination_needs_every_part(missing: str) -> None:
    text = " ".join(v for k, v in PARTS.items() if k != missing)
    assert not [h for h in indicator_hits(text) if h.id.startswith("COMBO-")]


def test_very_high_combination_needs_a_further_distinct_hit() -> None:
    base = " ".join(PARTS.values())
    assert not [h for h in indicator_hits(base) if h.id == "COMBO-02"]
    with_passport = base + " Send a photo of your passport."
    combo = [h for h in indicator_hits(with_passport) if h.id == "COMBO-02"]
    assert len(combo) == 4
    assert len({(h.start, h.end) for h in combo}) == 4


def test_warning_post_is_marked_and_weighs_less_than_the_ad_it_quotes() -> None:
    ad_hits, warn_hits = indicator_hits(AD), indicator_hits(WARNING)
    assert "CTX-WARN" not in {h.id for h in ad_hits}
    assert {h.evidence for h in warn_hits if h.id == "CTX-WARN"} >= {"Police warn", "were rescued", "Beware of"}
    assert _total(warn_hits) < _total(ad_hits)
    # the quoted ad's evidence is all still there, at 0.3 of its weight (combination parts may
    # take their evidence from the warning's own words, so only their total is compared)
    offset = WARNING.index(AD)
    quoted = {(h.id, h.start - offset): h.weight for h in warn_hits if h.start >= offset}
    for h in ad_hits:
        if not h.id.startswith("COMBO-"):
            assert quoted[(h.id, h.start)] == pytest.approx(0.3 * h.weight)
    combos = [h for h in warn_hits if h.id.startswith("COMBO-")]
    assert _total(combos) == pytest.approx(0.3 * _total([h for h in ad_hits if h.id.startswith("COMBO-")]))
    assert all(h.weight == 0 for h in warn_hits if h.id == "CTX-WARN")


def test_warning_title_down_weights_the_text_in_the_stage() -> None:
    rec = Record.from_capture(source_id="s", source_kind="feed", url="https://news.example/a", text=AD,
                              title="Cảnh báo: tuyển dụng đi Sihanoukville", body_sha256="0" * 64,
                              fetched_at="2026-01-01T00:00:00Z", partition="2026-01-01")
    (out,) = signals([rec])
    text_hits = [h for h in out.indicators if h.field == "text"]
    assert _total(text_hits) == pytest.approx(0.3 * _total(indicator_hits(AD)))
    assert any(h.id == "CTX-WARN" and h.field == "title" for h in out.indicators)


@pytest.mark.parametrize("text", [
    "Senior accountant, Siam Ledger Co., Bangkok office. Apply via our careers page. Hours 9 am to 6 pm.",
    "Kế toán tổng hợp tại Hà Nội, lương thỏa thuận, nộp hồ sơ qua website công ty.",
    "รับสมัครพนักงานบัญชี สำนักงานกรุงเทพ ส่งใบสมัครทางอีเมลบริษัท",
    "招聘会计，上海办公室，五险一金，请通过公司官网投递简历。",
    "Dicari staf akuntansi di Jakarta, kirim CV melalui situs resmi perusahaan.",
])
def test_ordinary_ads_fire_nothing_strong(text: str) -> None:
    assert [h for h in indicator_hits(text) if h.weight >= 1.0] == []


def test_groups_cover_the_taxonomy() -> None:
    groups = Counter(i.group for i in load_indicators())
    assert all(groups[g] for g in RECRUITMENT_GROUPS)


def test_pattern_set_finds_what_its_alternation_finds() -> None:
    """At each position the first pattern that matches wins, then the scan goes on from its
    end; a pattern tried only at its leading literals ("ab", "bc") or searched for (" ?c+d")."""
    import re

    from pipeline.indicators import Pattern

    parts = [r"\bab", r"abc\w*", r"bc", r"\s?c+d"]
    ps = PatternSet(re.compile("|".join(f"(?:{p})" for p in parts), re.I), 1.0, tuple(map(Pattern.of, parts)))
    assert [p.leading for p in ps.patterns] == [{"ab"}, {"abc"}, {"bc"}, None]
    literals = {lit for p in ps.patterns for lit in (*(p.literals or ()), *(p.leading or ()))}
    for text in ("abcd xabcccd bccd ABc", "ccd", "nothing", "zab"):
        low = text.lower()
        positions = {lit: [i for i in range(len(low)) if low.startswith(lit, i)] for lit in literals if lit in low}
        assert [m.span() for m in ps.finditer(text, positions)] == [m.span() for m in ps.rx.finditer(text)], text


WORDS = st.sampled_from([
    "high salary", "HIGH Salary", "no upfront cost to you", "easy money", "lương cao", "việc nhẹ lương cao", "高薪",
    "เงินเดือนสูง", "passport", "visa", "Cambodia", "Myawaddy", "KK Park", "telegram", "no experience", "casino",
    "ſalary", "warning", "scam", "free ticket", "gaji tinggi", "tuyển gấp", "urgent", "age 18-30", "\u0131",
    "dm me", "work from home", "just chat", "big company", "Chinese company name: X", "processing fee",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS | st.text(max_size=8), max_size=14).map(" ".join))
def test_only_patterns_whose_literals_occur_give_every_hit(text: str) -> None:
    """Running only the patterns one of whose literals occurs, each from its leading literals
    when it has them, gives every hit the pattern sets' alternations give."""
    low = folded(text)
    positions = literal_positions(low) if low is not None else None
    for ind in load_indicators():
        for ps in ind.pattern_sets:
            assert [m.span() for m in ps.finditer(text, positions)] == [m.span() for m in ps.rx.finditer(text)]



def _assign_by_trying_all(parts: list[tuple[str, ...]], hits: list, used: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    """The plain backtracking search, every hit tried for every part."""
    if not parts:
        return used
    taken = {(hits[j].field, hits[j].start, hits[j].end) for j in used}
    for i, h in enumerate(hits):
        if (h.field, h.start, h.end) not in taken and (h.id in parts[0] or h.id.split("-", 1)[0] in parts[0]):
            found = _assign_by_trying_all(parts[1:], hits, (*used, i))
            if found is not None:
                return found
    return None


HIT = st.builds(lambda i, s, f: IndicatorHit(id=i, start=s, end=s + 3, weight=1.0, evidence="x", field=f),
                st.sampled_from(["JOB-01", "JOB-02", "LOC-01", "CON-01", "FEE-01"]), st.integers(0, 4),
                st.sampled_from(["text", "title"]))
PART = st.sampled_from([("JOB",), ("LOC",), ("CON-01",), ("JOB-01", "FEE-01"), ("FEE",), ("TRV",)])


@settings(max_examples=500, deadline=None)
@given(st.lists(PART, min_size=1, max_size=4), st.lists(HIT, max_size=12))
def test_combination_choice_is_the_first_by_plain_backtracking(parts: list, hits: list) -> None:
    from pipeline.indicators import _assign

    assert _assign(parts, hits) == _assign_by_trying_all(parts, hits)


def test_a_long_post_with_many_hits_is_scored_quickly() -> None:
    """A post repeating an ad 300 times (2,100 hits): the combination rules' search remembers
    its failures (plain backtracking took 23 s for 50 repeats)."""
    import time

    text = " ".join([AD] * 300)
    t = time.process_time()
    hits = indicator_hits(text)
    assert time.process_time() - t < 20
    assert {h.id for h in hits} >= {"COMBO-01", "JOB-01", "LOC-01"}
