"""Evidence at capture: every request and response of a crawl written to one WARC file.

:class:`WarcCaptureMiddleware` (downloader middleware) writes, for each response, a
``request`` record and a ``response`` record (status line, headers, body) to
``<LUREWATCH_WARC_DIR>/<source_id>/<partition>/<run start, UTC>-<pid>.warc.gz`` (one gzip
member per record), after a ``warcinfo`` record naming the software, source, partition and
User-Agent. ``WARC-Date`` is the receipt time (``spiders.capture.FETCHED_AT``, the record's
``fetched_at``); ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` are SHA-256 (base32, as
warcio writes digests). With ``LUREWATCH_WARC_DIR`` unset the middleware is off.

What the WARC holds, and what it cannot:

* The payload is the body as received: the middleware sits at priority 900, nearer the
  downloader than ``HttpCompressionMiddleware`` (590), so a gzip body is stored gzipped, and
  nearer than ``RedirectMiddleware`` (600), so every hop of a redirect is recorded.
  Twisted has already removed chunked transfer coding; a ``Transfer-Encoding`` header is
  therefore kept as ``X-LureWatch-Original-Transfer-Encoding`` so the record parses.
* Header names are as Scrapy keeps them (title-cased, repeated headers on their own lines);
  the request record is rebuilt from the request Scrapy sent (``Host`` added when absent),
  not read off the socket.

The file is written under a temporary name and, when the spider closes (whatever the
reason: evidence of a failed crawl is still evidence), flushed, fsynced, made read-only
(0444) and hard-linked to its final name (which fails rather than replace a file), then the
temporary name is removed. A finished WARC file is never opened for writing again.

:class:`WarcRecordStamp` (spider middleware) copies onto every :class:`Record` the WARC
file (relative to the data directory, the parent of ``LUREWATCH_WARC_DIR``), the
response record's ``WARC-Record-ID`` and ``warc_digest`` = ``sha256:<hex>`` of the payload,
and sets ``body_sha256`` to the same hex digest, so ``body_sha256`` is the hash of exactly
the bytes the WARC holds (before content decoding). Without WARC capture ``body_sha256``
stays what :func:`spiders.capture.body_sha256` computed (the decoded body).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import os
import platform
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.records import Record
from spiders.capture import FETCHED_AT

logger = logging.getLogger(__name__)

#: request.meta key: the :class:`WarcCapture` (as a dict) of the response to that request.
WARC_META = "lurewatch_warc"
_DROPPED_HEADERS = {"transfer-encoding": "X-LureWatch-Original-Transfer-Encoding"}


@dataclass(frozen=True)
class WarcCapture:
    """Where one response's evidence is: ``warc_file`` (relative to the data directory),
    the response record's ``WARC-Record-ID`` and ``sha256:<hex>`` of its payload."""

    warc_file: str
    record_id: str
    digest: str
    payload_sha256: str


def warc_date(stamp: str | None) -> str:
    """``WARC-Date`` (UTC, ``…Z``, microseconds when known) for an ISO 8601 time; now if None."""
    when = datetime.fromisoformat(stamp) if stamp else datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    spec = "microseconds" if when.microsecond else "seconds"
    return when.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def labelled_sha256(data: bytes) -> str:
    """``sha256:<base32>``, the digest label form warcio writes and checks."""
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def _leading(record_type: str, uri: str | None) -> dict[str, str]:
    """The first WARC headers, in the usual order (warcio would append them last)."""
    out = {"WARC-Type": record_type, "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>"}
    if uri:
        out["WARC-Target-URI"] = uri
    return out


def _headers(raw: Any) -> list[tuple[str, str]]:
    out = []
    for name, values in raw.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        key = _DROPPED_HEADERS.get(key.lower(), key)
        for value in values:
            out.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out


class WarcFile:
    """One WARC file being written: a temporary name while open, a read-only final name once
    :meth:`close` returns. ``relative`` is the final path as records carry it."""

    def __init__(self, path: Path, relative: str, info: dict[str, str]) -> None:
        self.path = Path(path)
        self.relative = relative
        self.info = info
        self.records = 0
        self._tmp = self.path.with_name(f".{self.path.name}.tmp")
        self._fh: IO[bytes] | None = None
        self._writer: WARCWriter | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._fh = os.fdopen(fd, "wb")
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        fields = "".join(f"{k}: {v}\r\n" for k, v in self.info.items() if v).encode("utf-8")
        info = self._writer.create_warc_record(
            "",
            "warcinfo",
            payload=BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                **_leading("warcinfo", None),
                "WARC-Filename": self.path.name,
                "WARC-Date": warc_date(None),
                "WARC-Block-Digest": labelled_sha256(fields),
            },
        )
        self._writer.write_record(info)

    def write_exchange(self, request: Request, response: Response, received: str | None) -> WarcCapture:
        """Write the request and response records; return the response record's capture."""
        if self._writer is None:
            self.open()
        assert self._writer is not None  # noqa: S101 (set by open)
        date = warc_date(received)
        body = response.body
        status_line = f"{response.status} {http.client.responses.get(response.status, '')}".strip()
        resp_http = StatusAndHeaders(
            status_line, _headers(response.headers), protocol=response.protocol or "HTTP/1.1"
        )
        resp_http.compute_headers_buffer()
        rec_headers = {
            **_leading("response", response.url),
            "WARC-Date": date,
            "WARC-Payload-Digest": labelled_sha256(body),
            "WARC-Block-Digest": labelled_sha256((resp_http.headers_buff or b"") + body),
        }
        if response.ip_address is not None:
            rec_headers["WARC-IP-Address"] = str(response.ip_address)
        resp = self._writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=resp_http,
            warc_headers_dict=rec_headers,
        )
        req = self._request_record(request, date)
        self._writer.write_request_response_pair(req, resp)
        self.records += 2
        digest = hashlib.sha256(body).hexdigest()
        return WarcCapture(
            warc_file=self.relative,
            record_id=resp.rec_headers.get_header("WARC-Record-ID"),
            digest=f"sha256:{digest}",
            payload_sha256=digest,
        )

    def _request_record(self, request: Request, date: str) -> Any:
        assert self._writer is not None  # noqa: S101
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = _headers(request.headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        req_http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
        req_http.compute_headers_buffer()
        body = request.body or b""
        return self._writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(body),
            length=len(body),
            http_headers=req_http,
            warc_headers_dict={
                **_leading("request", request.url),
                "WARC-Date": date,
                "WARC-Payload-Digest": labelled_sha256(body),
                "WARC-Block-Digest": labelled_sha256((req_http.headers_buff or b"") + body),
            },
        )

    def close(self) -> Path | None:
        """Flush, fsync, make read-only and move to the final name; None if never opened."""
        if self._fh is None:
            return None
        fh, self._fh, self._writer = self._fh, None, None
        try:
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), 0o444)
        finally:
            fh.close()
        final = self.path
        n = 1
        while True:
            try:
                os.link(self._tmp, final)  # never replaces an existing file
                break
            except FileExistsError:
                n += 1
                final = self.path.with_name(self.path.name.replace(".warc.gz", f"-{n}.warc.gz"))
        self._tmp.unlink()
        _fsync_dir(final.parent)
        if final != self.path:  # cannot happen with distinct pids; recorded if it does
            logger.error("WARC file %s existed; wrote %s instead (records name the former)",
                         self.path, final)
        return final


class WarcCaptureMiddleware:
    """Downloader middleware (priority 900): every response and its request into the
    crawl's WARC file; ``request.meta[WARC_META]`` holds the :class:`WarcCapture`.

    Not configured when ``LUREWATCH_WARC_DIR`` is unset. Stats: ``lurewatch/warc_records``.
    """

    def __init__(self, warc_dir: Path, user_agent: str, started: datetime | None = None,
                 stats: Any = None) -> None:
        self.warc_dir = Path(warc_dir)
        self.user_agent = user_agent
        self.started = started or datetime.now(UTC)
        self.stats = stats
        self.file: WarcFile | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        warc_dir = crawler.settings.get("LUREWATCH_WARC_DIR")
        if not warc_dir:
            raise NotConfigured("WARC capture off: set LUREWATCH_WARC_DIR to keep evidence")
        mw = cls(Path(warc_dir).resolve(), crawler.settings.get("USER_AGENT", ""),
                 stats=crawler.stats)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        args = spider.args  # type: ignore[attr-defined]
        self.file = self.file_for(args.source_id, args.partition)

    def file_for(self, source_id: str, partition: str) -> WarcFile:
        """The (not yet opened) WARC file of this run for ``source_id`` and ``partition``."""
        name = f"{self.started.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}.warc.gz"
        path = self.warc_dir / source_id / partition / name
        info = {
            "software": f"LureWatch/{version('lurewatch')} (spiders.warc)"
            f" warcio/{version('warcio')} Scrapy/{scrapy.__version__}"
            f" Python/{platform.python_version()}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": f"lurewatch/{source_id}/{partition}",
            "lurewatch-source-id": source_id,
            "lurewatch-partition": partition,
            "http-header-user-agent": self.user_agent,
            "robots": "obey",
            "description": "Every request and response of one LureWatch crawl, as received.",
        }
        return WarcFile(path, path.relative_to(self.warc_dir.parent).as_posix(), info)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.file is None:  # a response before spider_opened: cannot name the file
            return response
        capture = self.file.write_exchange(request, response, request.meta.get(FETCHED_AT))
        request.meta[WARC_META] = asdict(capture)
        if self.stats is not None:
            self.stats.inc_value("lurewatch/warc_records", 2)
        return response

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.file is None:
            return
        final = self.file.close()
        if final is not None:
            logger.info("WARC: %d records in %s", self.file.records, final)


class WarcRecordStamp(BaseSpiderMiddleware):
    """Spider middleware: copies the response's :class:`WarcCapture` onto every Record the
    callback yields (``warc_file``, ``warc_record_id``, ``warc_digest``, ``body_sha256``)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler  # type: ignore[assignment]

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not isinstance(item, Record) or response is None:
            return item
        try:
            capture = response.meta.get(WARC_META)
        except AttributeError:  # a response without a request (hand-built in tests)
            return item
        if capture:
            item.warc_file = capture["warc_file"]
            item.warc_record_id = capture["record_id"]
            item.warc_digest = capture["digest"]
            item.body_sha256 = capture["payload_sha256"]
        return item


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
