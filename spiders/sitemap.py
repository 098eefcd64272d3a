"""Sitemaps (sitemaps.org): recognising one, and reading its ``<loc>`` entries.

Parsing uses Scrapy's :class:`scrapy.utils.sitemap.Sitemap` (lxml with entity resolution
off, so a hostile sitemap cannot pull in local files or expand entities).
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

_ROOTS = (b"<urlset", b"<sitemapindex")
#: sitemaps.org caps a sitemap at 50 MB uncompressed.
MAX_SIZE = 50 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One ``<url>`` or ``<sitemap>`` entry: its location and ``<lastmod>`` (as written)."""

    loc: str
    lastmod: str | None = None


@dataclass(frozen=True)
class SitemapPage:
    """A parsed sitemap: ``index`` is True for a ``<sitemapindex>`` (entries are sitemaps)."""

    index: bool
    entries: tuple[Entry, ...]


def body(response: Response) -> bytes:
    """The sitemap XML of ``response``, gunzipped for ``.xml.gz`` (at most ``MAX_SIZE``)."""
    raw = response.body
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, max_size=MAX_SIZE)
    return raw


def looks_like_sitemap(response: Response) -> bool:
    """True when the body is (gzipped) XML whose root is ``urlset`` or ``sitemapindex``."""
    head = response.body[:2]
    if head == b"\x1f\x8b":
        return response.url.split("?", 1)[0].endswith(".xml.gz")
    start = response.body[:2048].lstrip()
    if not start.startswith(b"<"):
        return False
    return any(root in start for root in _ROOTS)


def parse(response: Response) -> SitemapPage | None:
    """The entries of a sitemap (relative locations resolved against the response URL), or
    None when the body is not a sitemap."""
    entries = []
    try:
        sm = Sitemap(body(response))
        if sm.type not in ("urlset", "sitemapindex"):
            return None
        for d in sm:
            loc = (d.get("loc") or "").strip()
            if loc:
                lastmod = (d.get("lastmod") or "").strip() or None
                entries.append(Entry(response.urljoin(loc), lastmod))
    except (ValueError, OSError, StopIteration, lxml.etree.LxmlError):
        return None
    return SitemapPage(index=sm.type == "sitemapindex", entries=tuple(entries))
