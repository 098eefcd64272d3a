"""Public Telegram channel previews (``https://t.me/s/<channel>``).

One record per message (``div.tgme_widget_message[data-post]``): the URL is the message
permalink as the page gives it (the date link, else ``https://t.me/<data-post>``), the text
keeps ``<br>`` as newlines. Older messages are reached through the page's "load more" link
(``a.tme_messages_more[data-before]`` → ``/s/<channel>?before=<id>``), up to ``max_pages``
pages per start URL.

Stats: ``telegram/messages``, ``telegram/messages_without_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector
from scrapy.http import Response

from pipeline.records import Record
from spiders.base import PAGE, SourceSpider
from spiders.capture import CaptureContext, make_record
from spiders.htmltext import element_text

_VIEWS = re.compile(r"^([\d.,]+)\s*([KkMm]?)$")


def parse_views(raw: str | None) -> int | None:
    """``"987"`` → 987, ``"12.4K"`` → 12400, ``"1.2M"`` → 1200000; None if unreadable."""
    if not raw:
        return None
    m = _VIEWS.match(raw.strip())
    if not m:
        return None
    number = float(m.group(1).replace(",", ""))
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(round(number * scale))


@dataclass
class Message:
    """One message as the preview page shows it."""

    channel: str
    message_id: int
    url: str
    text: str
    published_at: str | None
    views: int | None
    views_raw: str | None
    author: str | None
    forwarded_from: str | None
    forwarded_from_url: str | None
    links: list[str] = field(default_factory=list)
    has_media: bool = False


def parse_message(node: Selector) -> Message | None:
    """A :class:`Message` from a ``div.tgme_widget_message`` node (None without data-post)."""
    post = node.attrib.get("data-post", "")
    channel, _, mid = post.partition("/")
    if not channel or not mid.isdigit():
        return None
    bubble = node.css(".tgme_widget_message_bubble") or node
    text_nodes = bubble[0].xpath(
        "./div[contains(concat(' ', normalize-space(@class), ' '), ' tgme_widget_message_text ')]"
    )
    text = element_text(text_nodes[0].root) if text_nodes else ""
    links: list[str] = []
    if text_nodes:
        links = [h.strip() for h in text_nodes[0].css("a::attr(href)").getall() if h.strip()]
    links += node.css("a.tgme_widget_message_link_preview::attr(href)").getall()
    date_link = node.css("a.tgme_widget_message_date")
    url = date_link.attrib.get("href") if date_link else None
    fwd = node.css(".tgme_widget_message_forwarded_from_name")
    views_raw = node.css(".tgme_widget_message_views::text").get()
    author = " ".join(node.css(".tgme_widget_message_owner_name ::text").getall()).strip()
    return Message(
        channel=channel,
        message_id=int(mid),
        url=url or f"https://t.me/{post}",
        text=text,
        published_at=node.css("a.tgme_widget_message_date time::attr(datetime)").get()
        or node.css("time::attr(datetime)").get(),
        views=parse_views(views_raw),
        views_raw=views_raw.strip() if views_raw else None,
        author=author or None,
        forwarded_from=" ".join(fwd.css("::text").getall()).strip() or None if fwd else None,
        forwarded_from_url=fwd.attrib.get("href") if fwd else None,
        links=list(dict.fromkeys(links)),
        has_media=bool(
            node.css(
                ".tgme_widget_message_photo_wrap, .tgme_widget_message_video_player,"
                " .tgme_widget_message_document"
            )
        ),
    )


def parse_messages(response: Response) -> list[Message]:
    """All messages on a preview page, in page order (oldest first)."""
    out = []
    for node in response.css("div.tgme_widget_message[data-post]"):
        msg = parse_message(node)
        if msg is not None:
            out.append(msg)
    return out


def channel_title(response: Response) -> str | None:
    parts = response.css(".tgme_channel_info_header_title ::text").getall()
    return " ".join(p.strip() for p in parts if p.strip()) or None


def older_page(response: Response) -> str | None:
    """URL of the page of older messages (``a.tme_messages_more[data-before]``), if any."""
    href = response.css("a.tme_messages_more[data-before]::attr(href)").get()
    return response.urljoin(href) if href else None


def record_from_message(
    msg: Message, response: Response, ctx: CaptureContext, *, title: str | None = None
) -> Record:
    extra: dict[str, Any] = {
        "channel": msg.channel,
        "channel_title": title,
        "message_id": msg.message_id,
        "views": msg.views,
        "views_raw": msg.views_raw,
        "forwarded_from": msg.forwarded_from,
        "forwarded_from_url": msg.forwarded_from_url,
        "links": msg.links,
        "has_media": msg.has_media,
        "page_url": response.url,
    }
    return make_record(
        ctx,
        response,
        url=msg.url,
        text=msg.text,
        title=None,
        published_at=msg.published_at,
        author=msg.author or title,
        extra=extra,
    )


class TelegramPreviewSpider(SourceSpider):
    """Messages of public Telegram channels from their web preview (kind ``telegram``)."""

    name = "telegram"
    source_kind = "telegram"

    def sequence_position(self, record: Record) -> tuple[str, int] | None:
        """``("telegram:<channel>", message id)``: messages are numbered per channel, so a
        known message missing between listed neighbours is gone (see :mod:`spiders.state`)."""
        channel, mid = record.extra.get("channel"), record.extra.get("message_id")
        if not isinstance(channel, str) or not isinstance(mid, int) or isinstance(mid, bool):
            return None
        return f"telegram:{channel.lower()}", mid

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.inc("lurewatch/pages")
        title = channel_title(response)
        records = []
        for msg in parse_messages(response):
            self.inc("telegram/messages")
            if not msg.text:
                self.inc("telegram/messages_without_text")
            records.append(record_from_message(msg, response, self.ctx, title=title))
        yield from self.counted(response, records)
        page = int(response.meta.get(PAGE, 1))
        older = older_page(response)
        if older and page < self.args.max_pages:
            yield self.follow(response, older, self.parse, page=page + 1)
