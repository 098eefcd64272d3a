"""The source register: loading, validation errors naming entry and field, run arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipeline.demo import demo_register
from pipeline.register import RegisterError, Source, load_register, parse_register
from pipeline.settings import PROJECT_ROOT

GOOD = {"id": "vn-board", "kind": "jobposting", "start_urls": ["https://jobs.example.com/list"],
        "legal_basis": "public job ads, research and crime prevention"}


def test_shipped_register_loads_with_examples_disabled() -> None:
    sources = load_register(PROJECT_ROOT / "spiders" / "sources.yaml")
    assert {s.kind for s in sources} == {"jobposting", "feed", "telegram", "reddit", "listing"}
    assert all(not s.enabled for s in sources)
    assert all(s.legal_basis and s.tos_notes and s.retention_days for s in sources)


def test_defaults_and_run_args() -> None:
    (src,) = parse_register({"sources": [GOOD]})
    assert src == Source(
        id="vn-board", kind="jobposting", start_urls=("https://jobs.example.com/list",),
        legal_basis="public job ads, research and crime prevention",
    )
    assert src.enabled
    assert not src.local
    assert src.max_pages is None
    assert (src.schedule, src.concurrency, src.retention_days) == ("@daily", 1, 365)
    assert src.run_args() == [
        "--kind", "jobposting", "--source-id", "vn-board", "--url", "https://jobs.example.com/list",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    ]


def test_demo_register_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(demo_register("http://127.0.0.1:8123/")), "utf-8")
    jb, tg = load_register(path)
    assert jb.start_urls == ("http://127.0.0.1:8123/jobboard/index.html",)
    assert jb.local
    assert tg.run_args()[-11:] == ["--max-pages", "3", "--lang", "vi", "--allow-private",
                                   "--set", "DOWNLOAD_DELAY=0.0", "--set", "AUTOTHROTTLE_START_DELAY=0.0",
                                   "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"kind": "facebook"},
            r"sources\[0\] \(vn-board\): field 'kind': 'facebook' is not one of",
        ),
        ({"id": "Bad ID"}, r"sources\[0\]: field 'id'"),
        ({"start_urls": []}, r"\(vn-board\): field 'start_urls': give a non-empty list"),
        (
            {"start_urls": ["ftp://x.example/"]},
            r"\(vn-board\): field 'start_urls': 'ftp://x.example/'",
        ),
        ({"start_urls": ["http://127.0.0.1:8000/"]}, r"field 'start_urls': .*set local: true"),
        ({"kind": "telegram"}, r"field 'start_urls': .*https://t.me/s/<channel>"),
        ({"enabled": "yes"}, r"\(vn-board\): field 'enabled': must be true or false"),
        ({"max_pages": 0}, r"\(vn-board\): field 'max_pages'"),
        ({"max_pages": True}, r"\(vn-board\): field 'max_pages'"),
        ({"lang": "Vietnamese"}, r"\(vn-board\): field 'lang'"),
        ({"delay": -1}, r"\(vn-board\): field 'delay': -1 must be a number of seconds"),
        ({"delay": "slow"}, r"\(vn-board\): field 'delay'"),
        ({"schedule": "every day"}, r"\(vn-board\): field 'schedule': 'every day' has 2 fields, not 5"),
        ({"schedule": "61 * * * *"}, r"\(vn-board\): field 'schedule': '61 \* \* \* \*' is not a valid cron"),
        ({"schedule": "*/0 * * * *"}, r"\(vn-board\): field 'schedule': .* step '0'"),
        ({"schedule": "0 0 31 2 *"}, r"\(vn-board\): field 'schedule': .*use 5 cron fields"),  # never fires
        ({"schedule": "* * * * * *"}, r"\(vn-board\): field 'schedule': .* has 6 fields"),
        ({"schedule": "@reboot"}, r"\(vn-board\): field 'schedule': '@reboot' is not a valid cron"),
        ({"schedule": 6}, r"\(vn-board\): field 'schedule': 6 is not a cron expression"),
        ({"start_urls": ["http://169.254.169.254/"], "local": True},
         r"field 'start_urls': .* is a cloud metadata endpoint, which is never crawled"),
        ({"start_urls": ["http://[64:ff9b::a9fe:a9fe]/"], "local": True}, r"cloud metadata endpoint"),
        ({"scheduel": "@daily"}, r"\(vn-board\): field 'scheduel': unknown field"),
        ({"legal_basis": None}, r"\(vn-board\): field 'legal_basis': say why"),
        ({"legal_basis": "  "}, r"\(vn-board\): field 'legal_basis': must be non-empty"),
        ({"retention_days": 0}, r"\(vn-board\): field 'retention_days'"),
        ({"concurrency": 64}, r"\(vn-board\): field 'concurrency'"),
        ({"region": "Vietnam"}, r"\(vn-board\): field 'region'"),
        ({"selectors": {"title": "h1"}}, r"\(vn-board\): field 'selectors': only listing sources"),
        ({"kind": "listing", "selectors": {"title": "h1"}}, r"field 'selectors': a listing source needs item_links, text"),
        ({"kind": "reddit"}, r"field 'start_urls': .*r/<sub>/new.json"),
    ],
)
def test_errors_name_entry_and_field(change: dict, expected: str) -> None:
    with pytest.raises(RegisterError, match=expected):
        parse_register({"sources": [{**GOOD, **change}]}, origin="sources.yaml")


def test_local_entries_may_use_loopback_and_valid_schedules_pass() -> None:
    srcs = parse_register(
        {
            "sources": [
                {
                    **GOOD,
                    "start_urls": ["http://127.0.0.1:8000/jobboard/"],
                    "local": True,
                    "schedule": "0 */6 * * *",
                },
                {
                    **GOOD,
                    "id": "tg",
                    "kind": "telegram",
                    "start_urls": ["https://t.me/s/some_channel"],
                    "schedule": "@hourly",
                    "max_pages": 2,
                    "lang": "zh-Hans",
                },
            ]
        }
    )
    assert [s.id for s in srcs] == ["vn-board", "tg"]


@pytest.mark.parametrize("schedule", ["@daily", "@hourly", "@weekly", "@monthly", "@yearly", "@once",
                                      "@quarterly", " @daily ", "0 */6 * * *", "30 2 * * MON-FRI",
                                      "0 0 L * *", "0 9 * * 1#2"])
def test_schedules_croniter_accepts_pass(schedule: str) -> None:
    (src,) = parse_register({"sources": [{**GOOD, "schedule": schedule}]})
    assert src.schedule == schedule.strip()


def test_duplicate_ids_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match=r"sources\[1\] \(vn-board\): field 'id': duplicate id"):
        parse_register({"sources": [GOOD, GOOD]})
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [unclosed\n", "utf-8")
    with pytest.raises(RegisterError, match="not valid YAML"):
        load_register(bad)
    with pytest.raises(RegisterError, match="cannot read the register"):
        load_register(tmp_path / "missing.yaml")
    with pytest.raises(RegisterError, match="top level must be a mapping"):
        parse_register([GOOD])


def test_delay_becomes_scrapy_politeness_settings() -> None:
    (src,) = parse_register({"sources": [{**GOOD, "delay": 2.5}]}, origin="sources.yaml")
    args = src.run_args()
    assert "DOWNLOAD_DELAY=2.5" in args
    assert "AUTOTHROTTLE_START_DELAY=2.5" in args
    (plain,) = parse_register({"sources": [GOOD]}, origin="sources.yaml")
    assert not any(a.startswith("DOWNLOAD_DELAY") for a in plain.run_args())


def test_full_entry_reaches_the_spider() -> None:
    entry = {**GOOD, "id": "kh-classifieds", "kind": "listing", "concurrency": 2, "region": ["KH", "TH"],
             "tos_notes": "robots.txt allows /jobs", "retention_days": 90, "schedule": "30 2 * * *",
             "selectors": {"item_links": "a.ad::attr(href)", "next_page": "a.next::attr(href)",
                           "title": "h1::text", "text": "xpath://div[@id='desc']//text()"}}
    (src,) = parse_register({"sources": [entry]})
    assert src.region == ("KH", "TH")
    assert src.retention_days == 90
    args = src.run_args()
    assert "CONCURRENT_REQUESTS_PER_DOMAIN=2" in args
    (sel,) = [a for a in args if a.startswith("selectors=")]
    assert json.loads(sel.removeprefix("selectors="))["item_links"] == "a.ad::attr(href)"
