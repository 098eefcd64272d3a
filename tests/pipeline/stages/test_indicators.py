from __future__ import annotations

import pytest

from pipeline.stages.indicators import indicator_hits, load_indicators


def test_catalogue_loads_with_sources_and_compiles() -> None:
    inds = load_indicators()
    ids = {i.id for i in inds}
    assert {"JOB-01", "TRV-01", "LOC-01", "CON-01", "CTX-WARN"} <= ids
    assert all(i.patterns for i in inds)


@pytest.mark.parametrize(("text", "ind", "evidence"), [
    ("Việc nhẹ lương cao, bao ăn ở, đi Campuchia", "JOB-01", "Việc nhẹ lương cao"),
    ("Free air ticket and visa arranged by us", "TRV-01", "Free air ticket"),
    ("Work in Sihanoukville, Cambodia", "LOC-01", "Sihanoukville"),
    ("高薪招聘客服，包吃包住", "TRV-01", "包吃包住"),
    ("งานง่าย ได้เงินดี ที่พักฟรี", "TRV-01", "ที่พักฟรี"),
    ("Contact via Telegram for details", "CON-01", "Contact via Telegram"),
    ("Gaji tinggi, kerja di Kamboja", "LOC-03", "Kamboja"),
    ("Cảnh báo thủ đoạn lừa đảo việc nhẹ lương cao", "CTX-WARN", "Cảnh báo"),
])
def test_hits_carry_evidence_from_the_original_text(text: str, ind: str, evidence: str) -> None:
    hits = [h for h in indicator_hits(text) if h.id == ind]
    assert hits, f"{ind} did not fire on {text!r}"
    assert any(text[h.start:h.end] == h.evidence == evidence for h in hits)


def test_obfuscated_text_still_points_into_the_capture() -> None:
    text = "ＦＲＥＥ  air\u200b ticket to Ｃａｍｂｏｄｉａ"
    hits = {h.id: h for h in indicator_hits(text)}
    assert text[hits["TRV-01"].start:hits["TRV-01"].end] == "ＦＲＥＥ  air\u200b ticket"
    assert text[hits["LOC-03"].start:hits["LOC-03"].end] == "Ｃａｍｂｏｄｉａ"


def test_warning_context_has_negative_weight() -> None:
    (warn,) = [h for h in indicator_hits("Beware of fake jobs") if h.id == "CTX-WARN"]
    assert warn.weight < 0


def test_ordinary_ad_fires_nothing_strong() -> None:
    text = "Senior accountant, Siam Ledger Co., Bangkok office. Apply via our careers page."
    assert [h for h in indicator_hits(text) if h.weight >= 1.0] == []
