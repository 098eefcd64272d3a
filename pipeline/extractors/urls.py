"""URLs (taxonomy ENT-07), value as written; link shorteners flagged (EVA-07: a shortener
hides where a link goes).

Registers ``lurewatch_urls_v1`` (config ``shorteners``: host names, default
:data:`SHORTENERS`). Matches ``http(s)://…`` and ``www.…`` links, and bare links on
shortener and messaging hosts (``bit.ly/x``, ``t.me/x``, ``wa.me/855…``). Items carry extra
``host`` and ``shortener`` (true/false). Trailing punctuation is not part of a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from spacy.language import Language

from pipeline.extractors.base import NO_HINTS, FinderComponent, Found, Hints, Spans
from pipeline.extractors.literals import Prechecked

SHORTENERS = ("bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "rb.gy", "cutt.ly", "shorturl.at", "s.id",
              "is.gd", "ow.ly", "buff.ly", "tiny.cc", "rebrand.ly", "shorte.st", "bl.ink", "t.ly", "v.gd",
              "lnkd.in", "surl.li", "shorturl.asia", "short.gy", "tinyurl.ph", "linktr.ee", "u.to", "clck.ru",
              "dwz.cn", "url.cn", "suo.im", "lin.ee")
#: Hosts whose links are often written without a scheme.
BARE_HOSTS = ("t.me", "telegram.me", "wa.me", "m.me", "line.me", "zalo.me", "api.whatsapp.com", "chat.whatsapp.com")

_END = r"[^\s<>\"'()\[\]{}.,;:!?。，！？、…]"
_BODY = r"[^\s<>\"'()\[\]{}]"
_SCHEME = Prechecked(re.compile(rf"(?:https?://|www\.){_BODY}*{_END}", re.I))


@lru_cache(maxsize=8)
def _bare(hosts: tuple[str, ...]) -> Prechecked:
    alt = "|".join(re.escape(h) for h in sorted(hosts, key=len, reverse=True))
    return Prechecked(re.compile(rf"(?<![\w/.@-])(?:{alt})/{_BODY}*{_END}", re.I))


def host_of(url: str) -> str:
    if not re.match(r"[a-z]+://", url, re.I):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def find_urls(text: str, hints: Hints = NO_HINTS, found: Sequence[Found] = (),
              shorteners: Sequence[str] = SHORTENERS) -> Iterator[Found]:
    skip = Spans.of(found, "email")
    short = frozenset(shorteners)
    taken = Spans()
    for rx in (_SCHEME, _bare((*shorteners, *BARE_HOSTS))):
        for m in rx.finditer(text, hints.folded):
            if taken.overlaps(m.start(), m.end()) or skip.overlaps(m.start(), m.end()):
                continue
            taken.add(m.start(), m.end())
            host = host_of(m.group(0))
            yield Found("url", m.group(0), m.start(), m.end(), {"host": host, "shortener": host in short})


@Language.factory("lurewatch_urls_v1", default_config={"shorteners": list(SHORTENERS)})
def make_urls(nlp: Language, name: str, shorteners: list[str]) -> FinderComponent:
    hosts = tuple(h.lower() for h in shorteners)

    def run(text: str, hints: Hints, found: Sequence[Found]) -> Iterator[Found]:
        return find_urls(text, hints, found, hosts)
    return FinderComponent(run)
