"""What every spider records about a capture, and the downloader middleware that stamps each
response's receipt time. (The private-address guard is ``spiders.ssrf.SsrfGuardMiddleware``,
applying :mod:`pipeline.hostpolicy`.)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from pipeline.records import Record

#: request.meta key holding the UTC ISO 8601 time the response was received.
FETCHED_AT = "lurewatch_fetched_at"


@dataclass(frozen=True)
class CaptureContext:
    """Per-crawl facts every record carries (given to the crawl, never computed)."""

    source_id: str
    source_kind: str
    partition: str
    lang: str | None = None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fetched_at(response: Response) -> str:
    """When ``response`` was received (stamped by :class:`CaptureStampMiddleware`); the
    current time for responses built by hand in tests."""
    try:
        stamp = response.meta.get(FETCHED_AT)
    except AttributeError:  # response without a request
        stamp = None
    return str(stamp) if stamp else utc_now()


def body_sha256(response: Response) -> str:
    """SHA-256 (hex) of the response body as the spider received it (after decompression)."""
    return hashlib.sha256(response.body).hexdigest()


def make_record(
    ctx: CaptureContext,
    response: Response,
    *,
    url: str,
    text: str,
    title: str | None = None,
    published_at: str | None = None,
    lang: str | None = None,
    author: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Record:
    """A :class:`Record` for one post found in ``response``."""
    return Record.from_capture(
        source_id=ctx.source_id,
        source_kind=ctx.source_kind,
        url=url,
        text=text,
        title=title,
        body_sha256=body_sha256(response),
        fetched_at=fetched_at(response),
        partition=ctx.partition,
        published_at=published_at,
        lang=lang or ctx.lang,
        http_status=response.status,
        author=author,
        extra=extra or {},
    )


class CaptureStampMiddleware:
    """Downloader middleware: stamps ``request.meta[FETCHED_AT]`` when a response arrives.

    Register it close to the downloader (priority ~950) so the stamp is taken before other
    middlewares process the response.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta[FETCHED_AT] = utc_now()
        return response
