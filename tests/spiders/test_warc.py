"""WARC evidence at capture: crawl over real HTTP, read the WARC back with warcio."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import stat
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from pipeline.demo import JOBBOARD_PATH
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureHandler, FixtureServer, content_type, resolve
from spiders.kinds.jobposting import JobPostingSpider
from spiders.warc import WarcCaptureMiddleware, warc_date

PARTITION = "2026-11-28"


@dataclass
class WarcRecord:
    type: str
    id: str
    uri: str
    date: str
    headers: dict[str, str]
    http_status: str | None
    http_headers: list[tuple[str, str]]
    payload: bytes


def read_warc(path: Path) -> list[WarcRecord]:
    """Every record of a WARC file, digests checked by warcio (raises on a mismatch)."""
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            h = rec.rec_headers
            http = rec.http_headers
            out.append(WarcRecord(
                type=rec.rec_type, id=h.get_header("WARC-Record-ID"),
                uri=h.get_header("WARC-Target-URI") or "", date=h.get_header("WARC-Date"),
                headers=dict(h.headers), http_status=http.get_statuscode() if http else None,
                http_headers=list(http.headers) if http else [],
                payload=rec.raw_stream.read(),
            ))
    return out


def crawl_with_warc(data: Path, kind: str, urls: list[str], source_id: str) -> CrawlResult:
    out = data / "raw" / source_id / f"{PARTITION}.jsonl"
    return run_crawl(kind, urls, out, "--set", f"LUREWATCH_WARC_DIR={data / 'warc'}",
                     source_id=source_id, partition=PARTITION)


@pytest.fixture(scope="module")
def warc_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, CrawlResult, Path]:
    data = tmp_path_factory.mktemp("warcdata")
    res = crawl_with_warc(data, "jobposting", [fixture_site.url(JOBBOARD_PATH)], "demo-jobboard")
    assert res.returncode == 0, res.stderr
    [warc] = (data / "warc").rglob("*.warc.gz")
    return data, res, warc


def test_every_record_points_at_its_response_record(
    warc_crawl: tuple[Path, CrawlResult, Path],
) -> None:
    data, res, warc = warc_crawl
    by_id = {r.id: r for r in read_warc(warc)}
    assert len(res.records) == 12
    for rec in res.records:
        assert (data / rec["warc_file"]).resolve() == warc.resolve()  # relative to data dir
        evidence = by_id[rec["warc_record_id"]]
        assert evidence.type == "response"
        assert evidence.uri == rec["url"]
        assert evidence.http_status == "200"
        digest = hashlib.sha256(evidence.payload).hexdigest()
        assert rec["warc_digest"] == f"sha256:{digest}"
        assert rec["body_sha256"] == digest
        label, b32 = evidence.headers["WARC-Payload-Digest"].split(":", 1)
        assert (label, base64.b32decode(b32).hex()) == ("sha256", digest)
        assert evidence.headers["WARC-Block-Digest"].startswith("sha256:")
        assert evidence.date == warc_date(rec["fetched_at"])  # receipt time
        assert b"JobPosting" in evidence.payload


def test_requests_and_responses_come_in_pairs_after_warcinfo(
    warc_crawl: tuple[Path, CrawlResult, Path],
) -> None:
    _, res, warc = warc_crawl
    records = read_warc(warc)
    info = records[0]
    assert info.type == "warcinfo"
    fields = info.payload.decode("utf-8")
    for expected in ("LureWatch/", "lurewatch-source-id: demo-jobboard",
                     f"lurewatch-partition: {PARTITION}", "http-header-user-agent: LureWatch/"):
        assert expected in fields
    assert info.headers["WARC-Filename"] == warc.name
    responses = {r.id: r for r in records if r.type == "response"}
    requests = [r for r in records if r.type == "request"]
    assert len(requests) == len(responses) == (len(records) - 1) // 2
    for req in requests:
        resp = responses[req.headers["WARC-Concurrent-To"]]
        assert (req.uri, req.date) == (resp.uri, resp.date)
        first = req.payload  # GET: empty body
        assert first == b""
        names = {k.lower(): v for k, v in req.http_headers}
        assert names["user-agent"].startswith("LureWatch/")
        assert names["host"] == req.uri.split("/")[2]
    uris = {r.uri for r in responses.values()}
    assert any(u.endswith("/robots.txt") for u in uris)  # robots.txt is evidence too
    assert {r["url"] for r in res.records} <= uris
    assert all(r.headers["WARC-Block-Digest"].startswith("sha256:") for r in records)


def test_file_is_named_per_run_gzip_valid_and_read_only(
    warc_crawl: tuple[Path, CrawlResult, Path],
) -> None:
    data, _, warc = warc_crawl
    assert warc.parent == data / "warc" / "demo-jobboard" / PARTITION
    assert warc.name.endswith(".warc.gz")
    assert stat.S_IMODE(warc.stat().st_mode) == 0o444
    with gzip.open(warc) as fh:  # every member decompresses
        assert fh.read().startswith(b"WARC/1.1\r\nWARC-Type: warcinfo")
    assert not [p for p in warc.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_second_run_writes_a_new_file_and_leaves_the_first_alone(
    fixture_site: FixtureServer, tmp_path: Path
) -> None:
    urls = [fixture_site.url("s/vieclam_nuocngoai_24h")]
    first = crawl_with_warc(tmp_path, "telegram", urls, "demo-telegram")
    assert first.returncode == 0, first.stderr
    [warc] = (tmp_path / "warc").rglob("*.warc.gz")
    before = (hashlib.sha256(warc.read_bytes()).hexdigest(), warc.stat().st_mtime_ns)
    second = crawl_with_warc(tmp_path, "telegram", urls, "demo-telegram")
    assert second.returncode == 0, second.stderr
    files = sorted((tmp_path / "warc").rglob("*.warc.gz"))
    assert len(files) == 2
    assert (hashlib.sha256(warc.read_bytes()).hexdigest(), warc.stat().st_mtime_ns) == before
    assert {r["warc_file"] for r in second.records} == {
        files[1].relative_to(tmp_path).as_posix()} != {r["warc_file"] for r in first.records}
    # Telegram records are messages on a channel page: the evidence is the page response
    page_ids = {r.id for r in read_warc(files[1]) if r.type == "response"}
    assert {r["warc_record_id"] for r in second.records} <= page_ids


class GzipHandler(FixtureHandler):
    """Serves the fixture files gzip-compressed (``Content-Encoding: gzip``)."""

    def _serve(self, *, body: bool) -> None:
        path = resolve(self.server.root, self.path)  # type: ignore[attr-defined]
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        payload = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)


class HandlerServer(FixtureServer):
    def __init__(self, root: Path, handler: Any) -> None:
        super().__init__(root)
        self.handler = handler

    def start(self) -> HandlerServer:
        super().start()
        self._httpd.RequestHandlerClass = self.handler  # type: ignore[union-attr]
        return self


JOB_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Job</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "JobPosting",
"title": "Packing staff, Bavet", "description": "Packing work, salary 1500 USD, flights paid."}
</script></head><body><h1>Packing staff</h1></body></html>"""


def test_the_warc_keeps_the_body_as_received_over_the_wire(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "jobs").mkdir(parents=True)
    (site / "index.html").write_text('<a href="jobs/packing.html">Packing</a>', "utf-8")
    (site / "jobs" / "packing.html").write_text(JOB_PAGE, "utf-8")
    with HandlerServer(site, GzipHandler) as srv:
        res = crawl_with_warc(tmp_path / "data", "jobposting", [srv.url("index.html")], "gz")
    assert res.returncode == 0, res.stderr
    [rec] = res.records
    assert rec["title"] == "Packing staff, Bavet"  # the spider saw the decoded page
    [warc] = (tmp_path / "data" / "warc").rglob("*.warc.gz")
    evidence = {r.id: r for r in read_warc(warc)}[rec["warc_record_id"]]
    assert ("Content-Encoding", "gzip") in evidence.http_headers
    assert evidence.payload == gzip.compress(JOB_PAGE.encode(), mtime=0)  # as sent, compressed
    assert rec["body_sha256"] == hashlib.sha256(evidence.payload).hexdigest()
    assert rec["warc_digest"] == "sha256:" + rec["body_sha256"]


def test_capture_is_off_without_a_warc_dir() -> None:
    with pytest.raises(NotConfigured, match="LUREWATCH_WARC_DIR"):
        WarcCaptureMiddleware.from_crawler(get_crawler(JobPostingSpider))


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-11-28T10:00:00+00:00", "2026-11-28T10:00:00Z"),
        ("2026-11-28T17:00:00+07:00", "2026-11-28T10:00:00Z"),
        ("2026-11-28T10:00:00.250000Z", "2026-11-28T10:00:00.250000Z"),
    ],
)
def test_warc_date_is_utc(stamp: str, expected: str) -> None:
    assert warc_date(stamp) == expected


def test_records_without_warc_keep_the_decoded_body_hash(jobboard_crawl: CrawlResult) -> None:
    # the shared session crawl runs without LUREWATCH_WARC_DIR
    assert all(r["warc_file"] is None and r["warc_record_id"] is None
               for r in jobboard_crawl.records)
    assert json.dumps(jobboard_crawl.records[0])  # still plain records
