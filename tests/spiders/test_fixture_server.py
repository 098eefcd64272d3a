"""The demo fixture server: mapping, content types, no escape from root, no listings."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

import pytest

from pipeline.demo.server import FixtureServer


def fetch(srv: FixtureServer, path: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(srv.url(path), timeout=10) as resp:  # noqa: S310
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def raw_status(srv: FixtureServer, target: str) -> int:
    conn = http.client.HTTPConnection(srv.host, int(srv.base_url.rsplit(":", 1)[1]), timeout=10)
    conn.request("GET", target)
    status = conn.getresponse().status
    conn.close()
    return status


def test_binds_loopback_on_a_free_port(fixture_site: FixtureServer) -> None:
    assert fixture_site.base_url.startswith("http://127.0.0.1:")
    assert not fixture_site.base_url.endswith(":0")


@pytest.mark.parametrize(
    ("path", "ctype", "marker"),
    [
        ("/robots.txt", "text/plain; charset=utf-8", b"User-agent: *"),
        ("/jobboard/index.html", "text/html; charset=utf-8", b'rel="next"'),
        ("/jobboard/", "text/html; charset=utf-8", b'rel="next"'),
        ("/jobboard/style.css", "text/css; charset=utf-8", b"body"),
        ("/s/vieclam_nuocngoai_24h", "text/html; charset=utf-8", b'data-before="201"'),
        ("/telegram/s/vieclam_nuocngoai_24h", "text/html; charset=utf-8", b'data-before="201"'),
        (
            "/s/vieclam_nuocngoai_24h?before=201",
            "text/html; charset=utf-8",
            b'data-post="vieclam_nuocngoai_24h/188"',
        ),
    ],
)
def test_serves_sites(fixture_site: FixtureServer, path: str, ctype: str, marker: bytes) -> None:
    status, got_type, body = fetch(fixture_site, path)
    assert (status, got_type) == (200, ctype)
    assert marker in body


@pytest.mark.parametrize(
    "target",
    [
        "/jobboard/jobs/",
        "/telegram/",
        "/s/vieclam_nuocngoai_24h?before=999",
        "/nope.html",
        "/../pipeline/demo/server.py",
        "/%2e%2e/%2e%2e/settings.py",
        "/jobboard/..%2f..%2fserver.py",
    ],
)
def test_no_listings_no_escape(fixture_site: FixtureServer, target: str) -> None:
    assert raw_status(fixture_site, target) == 404
