"""The SSRF guard (the policy itself: tests/pipeline/test_hostpolicy.py): resolution, the
connect-time resolver, and crawls over real HTTP where a start URL is allowed but a redirect
goes to a refused address."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from twisted.internet.error import DNSLookupError

from pipeline.demo.crawl import run_crawl
from pipeline.demo.hostile import HostileServer
from spiders.ssrf import GuardedResolver, SsrfBlocked, SsrfGuardMiddleware

PARTITION = "2026-11-28"


def guard_request(url: str, **kwargs: bool) -> None:
    asyncio.run(SsrfGuardMiddleware(**kwargs).process_request(Request(url)))


@pytest.mark.parametrize("url", [
    "http://localhost:8080/",  # resolves to loopback (and is a loopback name)
    "http://2130706433/",  # 127.0.0.1 in decimal: not an IP literal to Python, resolved by getaddrinfo
    "http://0x7f.1/",  # 127.0.0.1 in inet_aton shorthand
    "http://[::ffff:7f00:1]/",
])
def test_names_resolving_to_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(SsrfBlocked, match="refusing private/loopback address"):
        guard_request(url)


def test_resolution_is_checked_not_just_the_name() -> None:
    guard = SsrfGuardMiddleware()
    reason = asyncio.run(guard._resolve_reason("localhost", 80))
    assert reason is not None
    assert reason.startswith("resolves to ")
    assert "loopback" in reason


def test_allowed_private_addresses_pass_and_unresolvable_names_are_left_to_the_downloader() -> None:
    guard_request("http://localhost:8080/", allow_private=True)
    guard_request("http://no-such-host.invalid/")


def test_resolver_refuses_private_addresses_at_connect_time() -> None:
    resolver = GuardedResolver.__new__(GuardedResolver)  # no reactor needed for the check itself
    before = GuardedResolver.refused
    assert resolver.checked("93.184.216.34", "example.org") == "93.184.216.34"
    with pytest.raises(DNSLookupError, match="refused address"):
        resolver.checked("10.0.0.7", "rebound.example.org")
    resolver.allow_private = True
    with pytest.raises(DNSLookupError, match="metadata"):
        resolver.checked("169.254.169.254", "evil.example.org")
    assert GuardedResolver.refused == before + 2


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def test_redirects_to_metadata_are_blocked_even_for_local_sources(hostile: HostileServer, tmp_path: Path) -> None:
    targets = ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/",
               "http://metadata.google.internal/computeMetadata/v1/"]
    # The targets' hosts are start URLs too, so Scrapy's offsite filter (allowed_domains = start URL
    # hosts) lets the redirects through and the guard itself must refuse them: 3 + 3.
    roots = ["http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://metadata.google.internal/"]
    urls = [hostile.url("/ok/1")] + [hostile.url(f"/redirect?to={t}") for t in targets] + roots
    res = run_crawl("jobposting", urls, tmp_path / "out.jsonl", partition=PARTITION, allow_private=True)
    assert res.stats["counters"]["lurewatch/ssrf_blocked"] == 6
    assert res.stats["health"]["ssrf_blocked"] == 6
    assert "6 requests to refused (private/metadata) addresses not made" in res.stats["warnings"]
    for target in targets:
        assert f"in {target} (redirected from {hostile.url('/redirect?to=')}" in res.stderr
    assert "cloud metadata is never fetched" in res.stderr
    assert [r["title"] for r in res.records] == ["Job 1"]  # the allowed start URL was crawled
    assert res.returncode == 1  # the redirected start URLs gave no records


def test_localhost_start_url_is_refused_without_allow_private(hostile: HostileServer, tmp_path: Path) -> None:
    # the start URL is a loopback name, so it is refused before any request, with a clear message
    before = len(hostile.requests)
    res = run_crawl("jobposting", [hostile.url("/ok/1", host="localhost")], tmp_path / "out.jsonl",
                    partition=PARTITION, allow_private=False)
    assert res.returncode == 1
    assert "refusing private/loopback address 'localhost' (loopback)" in res.stderr
    assert "--allow-private" in res.stderr
    assert res.stats["counters"]["lurewatch/ssrf_blocked"] >= 1
    assert res.records == []
    assert len(hostile.requests) == before  # nothing reached the server, not even robots.txt


def test_resolver_refuses_at_connect_time_when_the_guard_is_bypassed(hostile: HostileServer, tmp_path: Path) -> None:
    before = len(hostile.requests)
    res = run_crawl("jobposting", [hostile.url("/ok/1", host="localhost")], tmp_path / "out.jsonl",
                    "--set", 'DOWNLOADER_MIDDLEWARES={"spiders.ssrf.SsrfGuardMiddleware": null}',
                    "--set", "LUREWATCH_RETRY_BACKOFF_BASE=0", partition=PARTITION, allow_private=False)
    assert res.returncode == 1
    assert "refusing to connect to localhost: resolves to 127.0.0.1 (loopback)" in res.stderr
    assert res.stats["counters"]["lurewatch/ssrf_blocked_at_connect"] >= 1
    assert len(hostile.requests) == before


def test_decimal_ip_start_url_is_resolved_and_refused(hostile: HostileServer, tmp_path: Path) -> None:
    before = len(hostile.requests)
    res = run_crawl("jobposting", [f"http://2130706433:{hostile.port}/ok/1"], tmp_path / "out.jsonl",
                    partition=PARTITION, allow_private=False)
    assert res.returncode == 1
    assert "resolves to 127.0.0.1, loopback" in res.stderr
    assert len(hostile.requests) == before  # nothing reached the server
