"""Incremental crawling over real HTTP: unchanged posts are not written again, re-running a
day gives the same partition, removed posts leave evidence (404/410, gone from channel)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.demo import JOBBOARD_PATH, TELEGRAM_PATH, sites_root
from pipeline.demo.crawl import CrawlResult, read_jsonl, run_crawl
from pipeline.demo.server import FixtureHandler, FixtureServer
from spiders.warc import warc_date

DAY1, DAY2, DAY3, DAY4 = "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"
WAREHOUSE = "jobboard/jobs/warehouse-operative-daventry-harbourline.html"
ACCOUNTANT = "jobboard/jobs/accountant-bangkok-siam-ledger.html"
SALES = "jobboard/jobs/sales-chiangmai-lanna-homemart.html"


class GoneHandler(FixtureHandler):
    """The fixture server, answering 410 Gone for URL paths listed in ``<root>/GONE``."""

    def _serve(self, *, body: bool) -> None:
        gone = Path(self.server.root) / "GONE"  # type: ignore[attr-defined]
        if gone.exists() and urlsplit(self.path).path in gone.read_text("utf-8").split():
            payload = b"Gone\n"
            self._headers(HTTPStatus.GONE, "text/plain; charset=utf-8", len(payload))
            if body:
                self.wfile.write(payload)
            return
        super()._serve(body=body)


class GoneServer(FixtureServer):
    def start(self) -> GoneServer:
        super().start()
        self._httpd.RequestHandlerClass = GoneHandler  # type: ignore[union-attr]
        return self


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, FixtureServer]]:
    """A private, editable copy of the demo sites, served for the whole test (same port, so
    record ids stay stable between crawls)."""
    root = tmp_path / "site"
    shutil.copytree(sites_root(), root)
    with GoneServer(root) as srv:
        yield root, srv


class Crawler:
    def __init__(self, srv: FixtureServer, data: Path, kind: str, path: str, source_id: str):
        self.srv, self.data, self.kind, self.path, self.source_id = srv, data, kind, path, source_id

    def out(self, partition: str) -> Path:
        return self.data / "raw" / self.source_id / f"{partition}.jsonl"

    def removed(self, partition: str) -> list[dict]:
        return read_jsonl(self.out(partition).with_name(f"{partition}.removed.jsonl"))

    def __call__(self, partition: str, *extra: str) -> CrawlResult:
        res = run_crawl(
            self.kind, [self.srv.url(self.path)], self.out(partition),
            "--set", f"LUREWATCH_WARC_DIR={self.data / 'warc'}",
            "--set", f"LUREWATCH_STATE_DIR={self.data / 'state'}", *extra,
            source_id=self.source_id, partition=partition,
        )
        assert res.returncode == 0, res.stderr
        return res


def counter(res: CrawlResult, name: str) -> int:
    return int(res.stats["counters"].get(f"lurewatch/{name}", 0))


def ids(res: CrawlResult) -> list[str]:
    return sorted(r["id"] for r in res.records)


def evidence(data: Path, removal: dict) -> tuple[int, str]:
    """(HTTP status, WARC-Date) of the response record a removal line names."""
    with (data / removal["warc_file"]).open("rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_headers.get_header("WARC-Record-ID") == removal["warc_record_id"]:
                return int(rec.http_headers.get_statuscode()), rec.rec_headers.get_header("WARC-Date")
    raise AssertionError(f"{removal['warc_record_id']} not in {removal['warc_file']}")


def test_recrawl_writes_only_new_or_changed_posts_and_reruns_are_idempotent(
    site: tuple[Path, FixtureServer], tmp_path: Path
) -> None:
    root, srv = site
    crawl = Crawler(srv, tmp_path / "data", "jobposting", JOBBOARD_PATH, "board")
    first = crawl(DAY1)
    assert len(first.records) == 12
    again = crawl(DAY1)  # re-running a day compares with earlier days only: same partition
    assert ids(again) == ids(first)
    assert counter(again, "unchanged") == 0

    nothing_new = crawl(DAY2)
    assert nothing_new.records == []
    assert crawl.out(DAY2).read_text("utf-8") == ""  # an empty partition, not a missing one
    assert counter(nothing_new, "unchanged") == 12
    assert nothing_new.stats["items"] == 12  # health monitors still see what was found

    page = root / WAREHOUSE
    page.write_text(page.read_text("utf-8").replace(
        '"title": "Warehouse Operative – Nights"', '"title": "Warehouse Operative – Days"'), "utf-8")
    changed = crawl(DAY3)
    assert [r["title"] for r in changed.records] == ["Warehouse Operative – Days"]
    assert changed.records[0]["id"] not in ids(first)
    assert counter(changed, "unchanged") == 11
    assert ids(crawl(DAY3)) == ids(changed)

    with sqlite3.connect(tmp_path / "data" / "state" / "board.sqlite3") as db:
        rows = db.execute("SELECT canonical_url, first_seen, last_seen, last_status, removed_in"
                          " FROM urls").fetchall()
    assert len(rows) == 12
    assert all(status == 200 and removed is None for _, _, _, status, removed in rows)
    assert all(first_seen <= last_seen for _, first_seen, last_seen, _, _ in rows)


def test_gone_job_pages_are_reported_with_their_evidence(
    site: tuple[Path, FixtureServer], tmp_path: Path
) -> None:
    root, srv = site
    data = tmp_path / "data"
    crawl = Crawler(srv, data, "jobposting", JOBBOARD_PATH, "board")
    first = crawl(DAY1)
    by_url = {urlsplit(r["url"]).path.lstrip("/"): r for r in first.records}
    # warehouse: still linked, now 410; accountant: unlinked and deleted (404 on re-check);
    # sales: unlinked but still there (re-checked, alive, unchanged)
    (root / "GONE").write_text(f"/{WAREHOUSE}\n", "utf-8")
    (root / ACCOUNTANT).unlink()
    for listing, page in (("jobboard/index.html", ACCOUNTANT), ("jobboard/page2.html", SALES)):
        html = (root / listing).read_text("utf-8")
        href = page.removeprefix("jobboard/")
        html, n = re.subn(rf'<a [^>]*href="{re.escape(href)}"[^>]*>', "<a>", html)
        assert n == 1
        (root / listing).write_text(html, "utf-8")

    limited = crawl(DAY2, "--set", "LUREWATCH_RECHECK_LIMIT=1")
    assert counter(limited, "rechecked") == 1
    assert len(crawl.removed(DAY2)) in (1, 2)  # the 410 always; the 404 if re-checked first

    day2 = crawl(DAY2)  # re-run with the default limit: replaces the limited run's results
    assert day2.records == []
    assert counter(day2, "rechecked") == 2
    assert counter(day2, "unchanged") == 10
    removed = {r["url"]: r for r in crawl.removed(DAY2)}
    assert set(removed) == {by_url[WAREHOUSE]["url"], by_url[ACCOUNTANT]["url"]}
    for path, status in ((WAREHOUSE, 410), (ACCOUNTANT, 404)):
        line = removed[by_url[path]["url"]]
        assert (line["reason"], line["http_status"]) == (f"http {status}", status)
        assert (line["id"], line["canonical_url"]) == (by_url[path]["id"],
                                                       by_url[path]["canonical_url"])
        assert (line["source_id"], line["partition"]) == ("board", DAY2)
        assert evidence(data, line) == (status, warc_date(line["removed_at"]))

    rerun = crawl(DAY2)  # same day again: same removals, same (empty) partition
    assert [(r["canonical_url"], r["reason"]) for r in crawl.removed(DAY2)] == [
        (r["canonical_url"], r["reason"]) for r in sorted(removed.values(),
                                                          key=lambda r: r["canonical_url"])]
    assert rerun.records == []

    day3 = crawl(DAY3)  # removals are reported once; the removed page is not re-checked
    assert crawl.removed(DAY3) == []
    assert counter(day3, "rechecked") == 1  # sales, still unlinked

    for path in (ACCOUNTANT, "jobboard/index.html"):  # the ad comes back, linked again
        shutil.copy(sites_root() / path, root / path)
    back = crawl(DAY4)
    assert [r["id"] for r in back.records] == [by_url[ACCOUNTANT]["id"]]  # new again


def drop_message(page: Path, message_id: int) -> None:
    html = page.read_text("utf-8")
    marker = '<div class="tgme_widget_message_wrap'
    head, *blocks = html.split(marker)
    kept = [b for b in blocks if f'data-post="vieclam_nuocngoai_24h/{message_id}"' not in b]
    assert len(kept) == len(blocks) - 1
    page.write_text(marker.join([head, *kept]), "utf-8")


def test_telegram_message_gone_between_listed_neighbours_is_removed(
    site: tuple[Path, FixtureServer], tmp_path: Path
) -> None:
    root, srv = site
    data = tmp_path / "data"
    crawl = Crawler(srv, data, "telegram", TELEGRAM_PATH, "channel")
    first = crawl(DAY1)
    by_mid = {r["extra"]["message_id"]: r for r in first.records}
    assert {204, 208, 188} <= set(by_mid)
    page1 = root / "telegram" / "s" / "vieclam_nuocngoai_24h.html"
    drop_message(page1, 204)  # deleted: 203 and 205 still listed
    drop_message(page1, 208)  # newest on the page: nothing above it, so not judged
    day2 = crawl(DAY2)
    assert day2.records == []
    [line] = crawl.removed(DAY2)
    assert (line["url"], line["id"], line["reason"]) == (
        by_mid[204]["url"], by_mid[204]["id"], "gone from channel")
    assert line["evidence_url"] == by_mid[203]["extra"]["page_url"]
    assert evidence(data, line) == (200, warc_date(line["removed_at"]))
    crawl(DAY2)  # re-run: the same removal
    assert [(r["url"], r["reason"]) for r in crawl.removed(DAY2)] == [(line["url"], line["reason"])]
    crawl(DAY3)  # reported once
    assert crawl.removed(DAY3) == []


def test_without_state_dir_everything_is_written(
    site: tuple[Path, FixtureServer], tmp_path: Path
) -> None:
    _, srv = site
    out = tmp_path / "raw" / f"{DAY2}.jsonl"
    args = ("--set", f"LUREWATCH_STATE_DIR={tmp_path / 'state'}")
    run_crawl("telegram", [srv.url(TELEGRAM_PATH)], tmp_path / "raw" / f"{DAY1}.jsonl", *args,
              partition=DAY1)
    plain = run_crawl("telegram", [srv.url(TELEGRAM_PATH)], out, partition=DAY2)
    assert plain.returncode == 0, plain.stderr
    assert len(plain.records) == 14
    assert not out.with_name(f"{DAY2}.removed.jsonl").exists()
    assert "lurewatch/unchanged" not in plain.stats["counters"]


def test_the_settings_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text("utf-8")
    for name in ("LUREWATCH_WARC_DIR", "LUREWATCH_STATE_DIR", "LUREWATCH_RECHECK_LIMIT"):
        assert f"`{name}`" in doc
