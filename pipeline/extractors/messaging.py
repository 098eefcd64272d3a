"""Messaging handles and links (taxonomy ENT-02..05, CON-01), value normalized for pivoting.

=========  ==========================================================  ==================
type       forms                                                       value
=========  ==========================================================  ==================
telegram   ``@handle``, ``t.me/<name>``, ``telegram.me/…``, ``tg://resolve?domain=``,
           "Telegram/TG/Tele: handle"                                  lower case, no @
whatsapp   ``wa.me/<digits>``, ``api.whatsapp.com/send?phone=``,
           "WA/WhatsApp/Whatsapp: <number>"                            E.164
line       ``line.me/R/ti/p/~id`` or ``@id``, ``lin.ee/<id>``,
           "LINE ID: xxx", "ไลน์ไอดี xxx", "ไลน์: xxx"                 lower case, no @ ~
wechat     "WeChat/微信/微信号/VX/V信/wx: id"                            lower case
zalo       "Zalo: 09xx…" (→ number), ``zalo.me/<number or id>``        E.164, or the id
messenger  ``m.me/<name>``, ``messenger.com/t/<name>``                 lower case
=========  ==========================================================  ==================

Links span the whole link; labelled forms ("LINE ID: abc") span the identifier only. A
number after a label also stays a ``phone`` (found by ``lurewatch_phones_v1``). A bare
``@handle`` is Telegram unless a LINE label claims it. Registers ``lurewatch_messaging_v1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import phonenumbers
from spacy.language import Language

from pipeline.extractors.base import NO_HINTS, FinderComponent, Found, Hints, Spans
from pipeline.extractors.literals import Prechecked
from pipeline.extractors.phones import candidate_regions, e164, parse_number

_HANDLE = r"[A-Za-z][A-Za-z0-9_]{3,31}"
_SEP = r"\s*(?:[:：=-]|ID|id|Id)?\s*(?:[:：])?\s*"
_ID = r"@?~?[A-Za-z0-9][A-Za-z0-9._-]{2,31}"

_TG_LINK = Prechecked(re.compile(rf"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?(?:joinchat/)?({_HANDLE})\b"
                      rf"|tg://resolve\?domain=({_HANDLE})", re.I))
_TG_LABEL = Prechecked(re.compile(rf"(?<![A-Za-z0-9])(?:telegram|tele|tg|tlg)\s*(?:id)?\s*[:：]\s*({_HANDLE})\b", re.I))
_TG_HANDLE = Prechecked(re.compile(rf"(?<![\w@./])@({_HANDLE})\b"))
_WA_LINK = Prechecked(re.compile(r"(?:https?://)?(?:wa\.me/|api\.whatsapp\.com/send/?\?phone=)\+?(\d{7,15})", re.I))
_WA_LABEL = Prechecked(re.compile(rf"(?<![A-Za-z0-9])(?:whats\s?app|wa|wsp|whatsap)\b{_SEP}", re.I))
_LINE_LINK = Prechecked(re.compile(
    r"(?:https?://)?(?:line\.me/(?:R/)?ti/p/|lin\.ee/)([@~]?[A-Za-z0-9._-]{2,32})", re.I))
_LINE_LABEL = Prechecked(re.compile(
    rf"(?:(?<![A-Za-z0-9])line\s*(?:id\s*[:：]?|[:：])|ไอดีไลน์|ไลน์ไอดี|ไลน์)\s*[:：]?\s*({_ID})", re.I))
_WECHAT_LABEL = Prechecked(re.compile(
    r"(?:(?:(?<![A-Za-z0-9])(?:wechat|weixin|vx|wx)|v信|微信号|微信|威信|薇信)(?:\s*(?:id|号))?\s*[:：]?\s*)"
    r"([A-Za-z][A-Za-z0-9_-]{5,19}|\+?\d{6,15})(?![\w-])", re.I))
_ZALO_LINK = Prechecked(re.compile(r"(?:https?://)?zalo\.me/(?!g/)([A-Za-z0-9._-]{3,32})", re.I))
_ZALO_LABEL = Prechecked(re.compile(rf"(?<![A-Za-z0-9])zalo\b{_SEP}", re.I))
_MESSENGER = Prechecked(re.compile(
    r"(?:https?://)?(?:www\.)?(?:m\.me|messenger\.com/t)/([A-Za-z0-9.]{3,50}[A-Za-z0-9])", re.I))


def _number(raw: str, regions: list[str]) -> str | None:
    return parse_number(raw.strip(), regions)


def _number_after(text: str, pos: int, regions: list[str]) -> tuple[int, int, str] | None:
    """The phone number starting within 3 characters of ``pos`` (after a label), if any."""
    window = text[pos:pos + 32]
    for region in [*regions, "ZZ"]:
        for m in phonenumbers.PhoneNumberMatcher(window, region, leniency=phonenumbers.Leniency.VALID):
            if m.start <= 3:
                return pos + m.start, pos + m.end, e164(m.number)
            break
    return None


def find_messaging(text: str, hints: Hints = NO_HINTS, found: Sequence[Found] = ()) -> Iterator[Found]:
    low = hints.folded
    out: list[Found] = []
    wa_labels = list(_WA_LABEL.finditer(text, low))
    zalo_labels = list(_ZALO_LABEL.finditer(text, low))
    regions = candidate_regions(text, hints) if wa_labels or zalo_labels else []
    for m in _TG_LINK.finditer(text, low):
        out.append(Found("telegram", (m.group(1) or m.group(2)).lower(), m.start(), m.end()))
    for m in _WA_LINK.finditer(text, low):
        e164 = _number("+" + m.group(1), [])
        if e164:
            out.append(Found("whatsapp", e164, m.start(), m.end()))
    for m in wa_labels:
        if hit := _number_after(text, m.end(), regions):
            out.append(Found("whatsapp", hit[2], hit[0], hit[1]))
    for m in _LINE_LINK.finditer(text, low):
        out.append(Found("line", m.group(1).lstrip("@~").lower(), m.start(), m.end()))
    links = Spans.of(out)
    for m in _LINE_LABEL.finditer(text, low):
        if not links.overlaps(m.start(1), m.end(1)):
            out.append(Found("line", m.group(1).lstrip("@~").lower(), m.start(1), m.end(1)))
    for m in _WECHAT_LABEL.finditer(text, low):
        out.append(Found("wechat", m.group(1).lower(), m.start(1), m.end(1)))
    for m in _ZALO_LINK.finditer(text, low):
        ident = m.group(1)
        value = _number(ident, ["VN"]) if ident.isdigit() else None
        out.append(Found("zalo", value or ident.lower(), m.start(), m.end()))
    for m in zalo_labels:
        if hit := _number_after(text, m.end(), ["VN", *regions]):
            out.append(Found("zalo", hit[2], hit[0], hit[1]))
    for m in _MESSENGER.finditer(text, low):
        out.append(Found("messenger", m.group(1).lower(), m.start(), m.end()))
    # a bare @handle or a labelled name is Telegram unless an e-mail, a LINE or WeChat label or
    # an earlier Telegram find holds it (the handle spans "@name", the label form the name)
    claimed = Spans([*((f.start, f.end) for f in found if f.type == "email"),
                     *((f.start, f.end) for f in out if f.type in ("line", "wechat", "telegram"))])
    for rx, group in ((_TG_HANDLE, 0), (_TG_LABEL, 1)):
        for m in rx.finditer(text, low):
            start, end = m.span(group)
            if not claimed.overlaps(start, end):
                out.append(Found("telegram", m.group(1).lower(), start, end))
                claimed.add(start, end)
    return iter(out)


@Language.factory("lurewatch_messaging_v1")
def make_messaging(nlp: Language, name: str) -> FinderComponent:
    return FinderComponent(find_messaging)
