"""RSS 2.0 and Atom job feeds (kind ``feed``).

One record per entry: ``url`` = the entry's link (else its id when that is an http(s)
URL), ``title``, ``text`` = the longest of content/summary as plain text, ``published_at``
= published (else updated) time in ISO 8601 UTC, ``author``; ``extra`` keeps categories,
guid, the feed's title and the page the entry was read from. The feed body is parsed by
feedparser from memory (never by URL: feedparser would fetch it, or open a local file).
Further pages come from a ``<link rel="next">`` (Atom, or ``<atom:link>`` inside RSS), up
to ``max_pages`` per start URL. Entries with neither link nor content are skipped and
counted; a page that is not a feed counts as a parse failure.

Stats: ``feed/entries``, ``feed/entries_skipped``, ``feed/bozo`` (feeds parsed despite
errors), ``feed/parse_failures`` (each also counted under ``lurewatch/``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
from scrapy.http import Response

from pipeline.records import Record
from spiders.base import PAGE, SourceSpider
from spiders.capture import CaptureContext, make_record
from spiders.dates import to_utc_iso
from spiders.htmltext import html_to_text
from spiders.kinds.jobposting import description_links


@dataclass
class Feed:
    """A parsed feed page: its title, entries, next page and parser complaints."""

    title: str | None
    entries: list[Any]
    next_url: str | None
    bozo: str | None = None


def parse_feed(response: Response) -> Feed | None:
    """The feed in ``response``, or None when the body is not RSS/Atom."""
    headers = {"content-location": response.url}
    ctype = response.headers.get("Content-Type")
    if ctype:
        headers["content-type"] = ctype.decode("latin-1")
    parsed = feedparser.parse(io.BytesIO(response.body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        return None
    nxt = next(
        (ln.get("href") for ln in parsed.feed.get("links", []) if ln.get("rel") == "next"), None
    )
    bozo = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    return Feed(
        title=parsed.feed.get("title") or None,
        entries=list(parsed.entries),
        next_url=response.urljoin(nxt) if nxt else None,
        bozo=bozo,
    )


def _is_http(url: Any) -> bool:
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https")


def _when(entry: Any, key: str) -> str | None:
    # dict.get, not entry.get: feedparser maps a missing ``updated`` to ``published`` (with a
    # DeprecationWarning), which would hide which of the two the feed gave.
    parsed = dict.get(entry, f"{key}_parsed")
    if parsed:
        return datetime(*parsed[:6], tzinfo=UTC).isoformat(timespec="seconds")
    return to_utc_iso(dict.get(entry, key))


def _body_html(entry: Any) -> str:
    """The entry's fullest body: the longest of its content values and summary."""
    values = [c.get("value") or "" for c in entry.get("content", [])]
    values.append(entry.get("summary") or "")
    return max(values, key=len)


def record_from_entry(
    entry: Any, feed: Feed, response: Response, ctx: CaptureContext
) -> Record | None:
    """A record for one feed entry, or None when it has no link or says nothing."""
    link = entry.get("link")
    if not _is_http(link):
        link = entry.get("id") if _is_http(entry.get("id")) else None
    title = html_to_text(entry.get("title") or "") or None
    body = _body_html(entry)
    text = html_to_text(body)
    if not link or not (title or text):
        return None
    extra: dict[str, Any] = {
        "guid": entry.get("id"),
        "categories": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
        "feed_title": feed.title,
        "page_url": response.url,
        "updated_at": _when(entry, "updated"),
        "links": description_links(body),
    }
    for key in ("region", "country", "type"):  # WeWorkRemotely-style extension elements
        if isinstance(dict.get(entry, key), str):
            extra[key] = dict.get(entry, key)
    if dict.get(entry, "published") and not dict.get(entry, "published_parsed"):
        extra["published_raw"] = dict.get(entry, "published")
    return make_record(
        ctx,
        response,
        url=link,
        title=title,
        text=text,
        published_at=_when(entry, "published") or _when(entry, "updated"),
        author=entry.get("author") or None,
        extra=extra,
    )


class FeedSpider(SourceSpider):
    """Job ads from RSS 2.0 / Atom feeds (kind ``feed``); start URLs are feed URLs."""

    name = "feed"
    source_kind = "feed"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.inc("lurewatch/pages")
        feed = parse_feed(response)
        if feed is None:
            self.skip("parse_failures", response.url, "not an RSS or Atom feed")
            return
        if feed.bozo:
            self.inc("feed/bozo")
            self.logger.warning("feed %s parsed despite errors: %s", response.url, feed.bozo)
        records = []
        for entry in feed.entries:
            rec = record_from_entry(entry, feed, response, self.ctx)
            if rec is None:
                self.skip(
                    "entries_skipped",
                    response.url,
                    f"entry {entry.get('id')!r}: no link or no content",
                )
                continue
            self.inc("feed/entries")
            records.append(rec)
        yield from self.counted(response, records)
        page = int(response.meta.get(PAGE, 1))
        if feed.next_url and feed.next_url != response.url and page < self.args.max_pages:
            yield self.follow(response, feed.next_url, self.parse, page=page + 1)
