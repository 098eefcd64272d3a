"""Telegram preview parsing on the recorded demo pages."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from pipeline.demo import sites_root
from pipeline.records import validate
from spiders.capture import CaptureContext
from spiders.kinds.telegram import (
    channel_title,
    older_page,
    parse_messages,
    parse_views,
    record_from_message,
)

URL = "http://127.0.0.1:8000/s/vieclam_nuocngoai_24h"


def recorded(name: str, url: str = URL) -> HtmlResponse:
    body = (sites_root() / "telegram" / "s" / name).read_bytes()
    return HtmlResponse(url=url, body=body, encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("987", 987),
        ("1.2K", 1200),
        ("12.4K", 12400),
        ("3M", 3_000_000),
        ("1,024", 1024),
        (" 5.5K ", 5500),
        ("", None),
        (None, None),
        ("lots", None),
    ],
)
def test_parse_views(raw: str | None, expected: int | None) -> None:
    assert parse_views(raw) == expected


def test_newest_page() -> None:
    resp = recorded("vieclam_nuocngoai_24h.html")
    msgs = parse_messages(resp)
    assert [m.message_id for m in msgs] == list(range(201, 209))
    assert channel_title(resp) == "Việc làm nước ngoài 24h"
    assert older_page(resp) == URL + "?before=201"
    fwd = next(m for m in msgs if m.message_id == 205)
    assert fwd.forwarded_from == "Loker Luar Negeri ID"
    assert fwd.forwarded_from_url == "https://t.me/loker_luarnegeri_id/982"
    assert fwd.text.splitlines()[0] == "LOWONGAN CS DI KAMBOJA"
    assert fwd.links == ["https://wa.me/855887316520"]


def test_oldest_page_has_no_older_link_and_keeps_line_breaks() -> None:
    resp = recorded("vieclam_nuocngoai_24h__before_201.html", URL + "?before=201")
    msgs = parse_messages(resp)
    assert [m.message_id for m in msgs] == [188, 190, 193, 195, 197, 200]
    assert older_page(resp) is None
    warning = msgs[-1]
    assert warning.text.startswith("⚠️ CẢNH BÁO: chiêu lừa “việc nhẹ lương cao” sang Campuchia\n\n")
    assert "Sihanoukville" in warning.text
    assert warning.views == 21_700
    assert warning.published_at == "2026-11-25T09:20:44+00:00"


def test_record_from_message_is_valid() -> None:
    resp = recorded("vieclam_nuocngoai_24h.html")
    ctx = CaptureContext(source_id="tg", source_kind="telegram", partition="2026-11-28", lang="vi")
    msg = parse_messages(resp)[0]
    rec = record_from_message(msg, resp, ctx, title=channel_title(resp))
    validate(rec.to_dict())
    assert rec.url == "https://t.me/vieclam_nuocngoai_24h/201"
    assert rec.lang == "vi"
    assert rec.extra["message_id"] == 201
    assert rec.extra["views"] == 5500


def test_message_without_date_link_or_text_uses_data_post() -> None:
    body = (
        '<div class="tgme_widget_message" data-post="somechan/42">'
        '<div class="tgme_widget_message_bubble">'
        '<a class="tgme_widget_message_photo_wrap" href="https://t.me/somechan/42"></a></div></div>'
        '<div class="tgme_widget_message" data-post="broken"></div>'
    )
    resp = HtmlResponse(url="https://t.me/s/somechan", body=body.encode(), encoding="utf-8")
    (msg,) = parse_messages(resp)
    assert msg.url == "https://t.me/somechan/42"
    assert msg.text == ""
    assert msg.has_media
    assert msg.views is None
    assert msg.published_at is None
