"""The SSRF guard: no request, redirect or followed link to a private, loopback, link-local,
CGNAT, multicast, reserved or cloud-metadata address (the policy is
:mod:`pipeline.hostpolicy`; this module applies it to Scrapy's requests and resolver).

* :class:`SsrfGuardMiddleware` (downloader, 10) checks the host as written and every address
  it resolves to; redirects are new requests, so they pass through it too.
* :class:`GuardedResolver` (``TWISTED_DNS_RESOLVER``) repeats the check when the downloader
  connects, so a name that re-binds between check and connect is refused too.

Blocked requests are counted under ``lurewatch/ssrf_blocked``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.statscollectors import StatsCollector
from twisted.internet.error import DNSLookupError

from pipeline.hostpolicy import address_block_reason, host_block_reason

logger = logging.getLogger(__name__)


class SsrfBlocked(IgnoreRequest):
    """A request to a refused address; never fetched. The message names the host and why."""


def _inc(stats: StatsCollector | None, key: str, count: int = 1) -> None:
    if stats is not None:
        stats.inc_value(key, count)


class SsrfGuardMiddleware:
    """Downloader middleware: refuses (:class:`SsrfBlocked`, counted ``lurewatch/ssrf_blocked``)
    requests whose host, as written or resolved, is refused by :func:`address_block_reason`.

    Settings: ``LUREWATCH_ALLOW_PRIVATE`` (local sources), ``LUREWATCH_BLOCK_METADATA``
    (default true, applies even to local sources). Resolution uses the running asyncio loop's
    ``getaddrinfo`` once per host per crawl; a name that does not resolve is left to the
    downloader, which fails it as a DNS error.
    """

    def __init__(
        self, *, allow_private: bool = False, block_metadata: bool = True, stats: StatsCollector | None = None
    ) -> None:
        self.allow_private = allow_private
        self.block_metadata = block_metadata
        self.stats = stats
        self._resolved: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        return cls(
            allow_private=crawler.settings.getbool("LUREWATCH_ALLOW_PRIVATE"),
            block_metadata=crawler.settings.getbool("LUREWATCH_BLOCK_METADATA", True),
            stats=crawler.stats,
        )

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        why = host_block_reason(host, allow_private=self.allow_private, block_metadata=self.block_metadata)
        if why is None and host not in self._resolved:
            self._resolved[host] = await self._resolve_reason(host, parts.port)
        why = why or self._resolved.get(host)
        if why is None:
            return
        _inc(self.stats, "lurewatch/ssrf_blocked")
        hint = (
            "cloud metadata is never fetched"
            if "metadata" in why
            else "mark the source `local: true` or pass --allow-private"
        )
        came_from = request.meta.get("redirect_urls") or []
        via = f" (redirected from {came_from[-1]})" if came_from else ""
        msg = f"refusing private/loopback address {host!r} ({why}) in {request.url}{via}; {hint}"
        logger.warning(msg)
        raise SsrfBlocked(msg)

    async def _resolve_reason(self, host: str, port: int | None) -> str | None:
        try:
            ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            pass
        else:
            return None  # an IP literal: already judged as written
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None
        for info in infos:
            addr = str(info[4][0])
            why = address_block_reason(
                ipaddress.ip_address(addr.split("%", 1)[0]),
                allow_private=self.allow_private,
                block_metadata=self.block_metadata,
            )
            if why:
                return f"resolves to {addr}, {why}"
        return None


class GuardedResolver(CachingThreadedResolver):
    """``TWISTED_DNS_RESOLVER``: Scrapy's caching resolver that fails (as a DNS lookup error) when a
    name resolves to a refused address at connect time, closing the gap between
    :class:`SsrfGuardMiddleware`'s check and the connection (DNS re-binding).

    Scrapy builds it from the crawler *process* (no stats there): refusals are counted in
    :attr:`refused`, which ``spiders/run.py`` (one crawl per process) reports as
    ``lurewatch/ssrf_blocked_at_connect``.
    """

    allow_private = False
    block_metadata = True
    refused = 0

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool("LUREWATCH_ALLOW_PRIVATE")
        resolver.block_metadata = crawler.settings.getbool("LUREWATCH_BLOCK_METADATA", True)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:  # noqa: N802 (Twisted API)
        return super().getHostByName(name, timeout).addCallback(self.checked, name)

    def checked(self, address: str, name: str) -> str:
        """``address`` if it may be fetched; raises DNSLookupError otherwise."""
        why = address_block_reason(
            ipaddress.ip_address(address), allow_private=self.allow_private, block_metadata=self.block_metadata
        )
        if why:
            GuardedResolver.refused += 1
            logger.warning("refusing to connect to %s: resolves to %s (%s)", name, address, why)
            raise DNSLookupError(f"{name} resolves to a refused address ({why})")
        return address
