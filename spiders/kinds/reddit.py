"""Subreddit listings as Reddit serves them as JSON (kind ``reddit``).

Start URLs are listing URLs such as ``https://www.reddit.com/r/<sub>/new.json``. The body
is ``{"kind": "Listing", "data": {"after": "t3_…", "children": [{"kind": "t3", "data":
{…}}]}}``; each ``t3`` child (a post) becomes a record: ``url`` =
``https://www.reddit.com`` + its ``permalink``, ``title``, ``text`` = ``selftext``
(Markdown as posted), ``published_at`` = ``created_utc`` in ISO 8601 UTC, ``author``
(None for ``[deleted]``). Further pages: the same URL with ``after=<data.after>&limit=100``,
up to ``max_pages`` per start URL. A post without id, permalink or any words is skipped and
counted; a body that is not a listing counts as a parse failure.

Stats: ``reddit/posts``, ``reddit/entries_skipped``, ``reddit/parse_failures``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response

from pipeline.records import Record
from spiders.base import PAGE, SourceSpider
from spiders.capture import CaptureContext, make_record
from spiders.dates import epoch_to_iso

REDDIT = "https://www.reddit.com"
PAGE_LIMIT = 100
_DELETED = {"[deleted]", "[removed]", ""}


def parse_listing(body: bytes) -> tuple[list[Any], str | None] | None:
    """``(children, after)`` of a Listing body, or None when it is not one."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("kind") != "Listing":
        return None
    data = doc.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        return None
    after = data.get("after")
    return data["children"], after if isinstance(after, str) and after else None


def next_page_url(url: str, after: str) -> str:
    """``url`` with ``after`` and ``limit`` set (other query parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("after", "limit", "count")]
    query += [("after", after), ("limit", str(PAGE_LIMIT))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _describe(child: Any) -> str:
    data = child.get("data") if isinstance(child, dict) else None
    name = data.get("name") if isinstance(data, dict) else None
    return repr(name) if name else type(child).__name__


def record_from_post(child: Any, response: Response, ctx: CaptureContext) -> Record | None:
    """A record for one listing child of kind ``t3``, or None when it is not a usable post."""
    if not isinstance(child, dict) or child.get("kind") != "t3":
        return None
    post = child.get("data")
    if not isinstance(post, dict):
        return None
    post_id, permalink = _str(post.get("id")), _str(post.get("permalink"))
    title = _str(post.get("title"))
    text = post.get("selftext") if isinstance(post.get("selftext"), str) else ""
    if not post_id or not permalink or not permalink.startswith("/") or not (title or text):
        return None
    created = post.get("created_utc")
    created_ok = isinstance(created, (int, float)) and not isinstance(created, bool)
    author = _str(post.get("author"))
    extra: dict[str, Any] = {
        "post_id": post_id,
        "name": _str(post.get("name")),
        "subreddit": _str(post.get("subreddit")),
        "permalink": permalink,
        "link_url": _str(post.get("url")),
        "domain": _str(post.get("domain")),
        "is_self": post.get("is_self") is True,
        "over_18": post.get("over_18") is True,
        "stickied": post.get("stickied") is True,
        "flair": _str(post.get("link_flair_text")),
        "score": post.get("score") if isinstance(post.get("score"), int) else None,
        "num_comments": post.get("num_comments")
        if isinstance(post.get("num_comments"), int)
        else None,
        "author_deleted": author is None or author in _DELETED,
        "page_url": response.url,
    }
    return make_record(
        ctx,
        response,
        url=REDDIT + permalink,
        title=title,
        text=text,
        published_at=epoch_to_iso(created) if created_ok else None,
        author=None if author is None or author in _DELETED else author,
        extra=extra,
    )


class RedditListingSpider(SourceSpider):
    """Posts of public subreddits from their JSON listings (kind ``reddit``)."""

    name = "reddit"
    source_kind = "reddit"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.inc("lurewatch/pages")
        listing = parse_listing(response.body)
        if listing is None:
            self.skip("parse_failures", response.url, "not a Reddit listing")
            return
        children, after = listing
        records = []
        for child in children:
            rec = record_from_post(child, response, self.ctx)
            if rec is None:
                self.skip("entries_skipped", response.url, f"not a usable post: {_describe(child)}")
                continue
            self.inc("reddit/posts")
            records.append(rec)
        yield from self.counted(response, records)
        page = int(response.meta.get(PAGE, 1))
        if after and page < self.args.max_pages:
            yield self.follow(
                response, next_page_url(response.url, after), self.parse, page=page + 1
            )
