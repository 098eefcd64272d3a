"""Crawl the demo job board over HTTP and check what comes out."""

from __future__ import annotations

import re

from pipeline.demo.crawl import CrawlResult
from pipeline.records import Record, canonical_url, content_sha256, record_id, validate

PARTITION = "2026-11-28"

SCAM_TITLES = {
    "Customer Service Staff – Sihanoukville, Cambodia (Free Flight + Visa)",
    "Tuyển gấp nhân viên CSKH online làm việc tại Bavet – lương 25–35 triệu",
    "รับสมัครแอดมินออนไลน์ ทำงานต่างประเทศ รายได้ดี 35,000 บาท",
    "高薪招聘网络客服/打字员 金三角 月入过万",
    "URGENT HIRING: Encoder / CSR abroad – Malaking sahod, libre lahat!",
}
ORDINARY_TITLES = {
    "Accountant (Thai/English) – Bangkok",
    "Điều dưỡng viên Khoa Nội tổng hợp",
    "Customer Service Representative – Voice Account (Pasig)",
    "Warehouse Operative – Nights",
    "Staf Administrasi Gudang",
    "พนักงานขายหน้าร้าน (ประจำสาขาเชียงใหม่)",
    "Front Office Agent (Khmer/English/Chinese)",
}


def by_title(crawl: CrawlResult) -> dict[str, dict]:
    return {r["title"]: r for r in crawl.records}


def test_crawl_succeeds_with_one_record_per_valid_ad(jobboard_crawl: CrawlResult) -> None:
    assert jobboard_crawl.returncode == 0, jobboard_crawl.stderr
    assert len(jobboard_crawl.records) == 12
    assert set(by_title(jobboard_crawl)) == SCAM_TITLES | ORDINARY_TITLES
    assert "12 records" in jobboard_crawl.stderr.splitlines()[-1]


def test_pagination_followed_and_malformed_page_skipped_and_counted(
    jobboard_crawl: CrawlResult,
) -> None:
    stats = jobboard_crawl.stats
    assert stats["ok"] is True
    assert stats["items"] == 12
    assert stats["dropped"] == 0
    assert stats["errors"] == 0
    assert stats["pages"] == 15  # 2 listing pages + 13 job pages
    assert stats["counters"]["jobposting/jsonld_invalid"] == 1
    assert stats["counters"]["jobposting/pages_without_posting"] == 1
    assert not any("office-assistant-siem-reap" in r["url"] for r in jobboard_crawl.records)
    # robots.txt was fetched and obeyed
    assert stats["counters"]["robotstxt/request_count"] == 1


def test_records_are_schema_valid_and_ids_follow_the_contract(jobboard_crawl: CrawlResult) -> None:
    for rec in jobboard_crawl.records:
        validate(rec)
        assert Record.from_dict(rec).to_dict() == rec
        assert rec["source_id"] == "demo-jobboard"
        assert rec["source_kind"] == "jobposting"
        assert rec["partition"] == PARTITION
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", rec["fetched_at"])
        assert rec["http_status"] == 200
        assert rec["url"].endswith(".html")
        assert "/jobboard/jobs/" in rec["url"]
        assert rec["content_sha256"] == content_sha256(rec["title"], rec["text"])
        assert rec["id"] == record_id(canonical_url(rec["url"]), rec["content_sha256"])
    assert len({r["id"] for r in jobboard_crawl.records}) == 12


def test_scam_ad_fields(jobboard_crawl: CrawlResult) -> None:
    rec = by_title(jobboard_crawl)[
        "Customer Service Staff – Sihanoukville, Cambodia (Free Flight + Visa)"
    ]
    extra = rec["extra"]
    assert extra["location"] == {
        "locality": "Sihanoukville",
        "region": "Preah Sihanouk",
        "country": "KH",
    }
    assert extra["salary"] == {
        "currency": "USD",
        "min": 1500,
        "max": 2500,
        "value": None,
        "unit": "MONTH",
    }
    assert extra["links"] == ["https://t.me/hr_kevin_kh88", "https://wa.me/855964127730"]
    assert extra["identifier"] == "JB-778120"
    assert extra["valid_through"] == "2026-12-05T23:59:59+07:00"
    assert rec["published_at"] == "2026-11-25"
    assert "- FREE air ticket, visa arranged, free accommodation and meals\n" in rec["text"]
    assert "<" not in rec["text"]


def test_ads_without_employer_and_in_other_languages(jobboard_crawl: CrawlResult) -> None:
    recs = by_title(jobboard_crawl)
    vi = recs["Tuyển gấp nhân viên CSKH online làm việc tại Bavet – lương 25–35 triệu"]
    assert vi["author"] is None
    assert vi["extra"]["employer"] is None
    assert vi["lang"] == "vi"
    assert vi["extra"]["salary"]["min"] == 25_000_000
    assert "Liên hệ Telegram @tuyendung_cskh_88 hoặc Zalo 0934 518 207." in vi["text"]
    zh = recs["高薪招聘网络客服/打字员 金三角 月入过万"]
    assert zh["lang"] == "zh"
    assert zh["extra"]["location"]["country"] == "LA"
    assert "包吃包住，包机票，帮办签证" in zh["text"]


def test_graph_escaped_and_plain_descriptions(jobboard_crawl: CrawlResult) -> None:
    recs = by_title(jobboard_crawl)
    uk = recs["Warehouse Operative – Nights"]  # @graph with an @id reference to the employer
    assert uk["author"] == "Harbourline Logistics Ltd"
    assert uk["extra"]["employer_url"] == "https://www.harbourline-logistics.example"
    assert uk["extra"]["salary"]["min"] == 12.6
    assert uk["extra"]["salary"]["unit"] == "HOUR"
    nurse = recs["Điều dưỡng viên Khoa Nội tổng hợp"]  # description HTML-escaped
    assert nurse["text"].startswith("Mô tả công việc\n\n- Chăm sóc")
    hotel = recs["Front Office Agent (Khmer/English/Chinese)"]  # raw newlines in JSON string
    assert "Sisowath Quay) is hiring Front Office Agents.\n\nDuties:" in hotel["text"]
    bpo = recs["Customer Service Representative – Voice Account (Pasig)"]  # JSON-LD list
    assert bpo["extra"]["employer"] == "Northwind Contact Solutions Inc."
