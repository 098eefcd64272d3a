"""A hostile fixture web site on 127.0.0.1, for testing that crawls survive it.

Every path serves one kind of trouble (see :data:`ROUTES` and :func:`HostileServer.url`):

* ``/ok/<n>``: a well-formed job page (schema.org JobPosting JSON-LD).
* ``/big``, ``/big-stream``: 2 MiB of HTML, with and without ``Content-Length``.
* ``/bomb``: 10 MiB of zeros gzip-compressed to ~10 KiB (``Content-Encoding: gzip``).
* ``/malformed``: unclosed tags, NUL bytes and stray binary around a valid JSON-LD posting.
* ``/binary``: 4 KiB of random-looking bytes served as ``text/html; charset=utf-8``.
* ``/cp1252``: windows-1252 bytes declared ``utf-8`` in the header.
* ``/tis620``: TIS-620 bytes, header says ``utf-8``, ``<meta charset>`` says ``tis-620``.
* ``/gb18030``: GB18030 bytes with no charset anywhere.
* ``/nocharset``: UTF-8 bytes with no charset anywhere.
* ``/endless/<n>``: a listing whose "next" link always leads to page n+1.
* ``/slow``: answers after ``slow_seconds`` (default 3).
* ``/redirect?to=URL``: 302 to ``URL``.
* ``/changed/``, ``/changed/jobs/<n>``: a board whose job pages lost their JSON-LD (markup changed);
  ``/partly/`` links one good and four changed job pages.
* ``/fanout/``: links six job pages that each take 0.3 s (the server records the most served at once).
* ``/robots/``: links ``/private/jobs/1``, which ``/robots.txt`` disallows.

The server records every request (path and User-Agent) in :attr:`HostileServer.requests`.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

#: Titles of the postings on the charset pages (what a correct decoding yields).
TITLES = {
    "cp1252": "Café – Señor Müller’s “easy” job",
    "tis620": "งานแอดมินออนไลน์ เงินเดือนสูง",
    "gb18030": "高薪客服工作 包吃包住",
    "nocharset": "Việc làm lương cao ở nước ngoài",
    "malformed": "Data entry, visa provided",
}
MAXSIZE_TEST = 1024 * 1024  #: the DOWNLOAD_MAXSIZE the size tests run with


def posting(title: str, desc: str = "High salary, free flight, no experience needed.") -> str:
    """A ``<script type="application/ld+json">`` JobPosting block."""
    data = {"@context": "https://schema.org", "@type": "JobPosting", "title": title,
            "description": desc, "datePosted": "2026-11-27"}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def page(title: str, body: str = "", head: str = "", *, jsonld: bool = True) -> str:
    return (f"<!doctype html><html><head>{head}<title>{title}</title>"
            f"{posting(title) if jsonld else ''}</head><body><h1>{title}</h1>{body}</body></html>")


def _bomb() -> bytes:
    return gzip.compress(b"\0" * (10 * 1024 * 1024), compresslevel=9)


_BOMB = _bomb()
_BINARY = bytes((i * 7919 + 13) % 256 for i in range(4096))


class HostileHandler(BaseHTTPRequestHandler):
    server_version = "LureWatchHostile/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """No access log."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        srv: HostileServer = self.server.owner  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        srv.requests.append((parts.path, self.headers.get("User-Agent", "")))
        path = parts.path
        if path == "/robots.txt":
            return self.send(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path.startswith("/ok/"):
            return self.send(page(f"Job {path[4:]}").encode(), "text/html; charset=utf-8")
        if path == "/big":
            return self.send(b"<html><body>" + b"<p>spam</p>" * (2 * MAXSIZE_TEST // 11), "text/html")
        if path == "/big-stream":
            return self.stream(b"<p>spam</p>" * 1000, repeat=200)
        if path == "/bomb":
            return self.send(_BOMB, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})
        if path == "/malformed":
            body = (f"<html><head><title>x\0y</title>{posting(TITLES['malformed'])}<body><div><p>unclosed"
                    f"<table><tr><td>cell<b><i>deep</div>\0\0</span>").encode() + b"\xff\xfe\x00\x01garbage<p"
            return self.send(body, "text/html; charset=utf-8")
        if path == "/binary":
            return self.send(_BINARY, "text/html; charset=utf-8")
        if path == "/cp1252":
            return self.send(page(TITLES["cp1252"]).encode("cp1252"), "text/html; charset=utf-8")
        if path == "/tis620":
            head = '<meta charset="tis-620">'
            return self.send(page(TITLES["tis620"], head=head).encode("tis-620"), "text/html; charset=utf-8")
        if path == "/gb18030":
            return self.send(page(TITLES["gb18030"]).encode("gb18030"), "text/html")
        if path == "/nocharset":
            return self.send(page(TITLES["nocharset"]).encode(), "text/html")
        if path.startswith("/endless/"):
            n = int(path.rsplit("/", 1)[1] or 1)
            body = f'<a rel="next" href="/endless/{n + 1}">Next</a>'
            return self.send(page(f"Endless {n}", body).encode(), "text/html; charset=utf-8")
        if path == "/slow":
            time.sleep(srv.slow_seconds)
            return self.send(page("Slow").encode(), "text/html; charset=utf-8")
        if path == "/redirect":
            target = parse_qs(parts.query).get("to", ["/ok/1"])[0]
            return self.send(b"", "text/plain", {"Location": target}, status=302)
        if path in ("/changed/", "/partly/"):
            links = "".join(f'<a href="/changed/jobs/{i}">job {i}</a>' for i in range(1, 5))
            if path == "/partly/":
                links += '<a href="/partly/jobs/ok">job ok</a>'
            return self.send(page("Jobs", links, jsonld=False).encode(), "text/html; charset=utf-8")
        if path.startswith("/changed/jobs/"):
            markup = '<div class="job-v2"><h2>Packer</h2><p>Good salary</p></div>'
            return self.send(page("Packer", markup, jsonld=False).encode(), "text/html; charset=utf-8")
        if path == "/partly/jobs/ok":
            return self.send(page("Warehouse packer").encode(), "text/html; charset=utf-8")
        if path == "/fanout/":
            links = "".join(f'<a href="/fanout/jobs/{i}">job {i}</a>' for i in range(6))
            return self.send(page("Fanout", links, jsonld=False).encode(), "text/html; charset=utf-8")
        if path.startswith("/fanout/jobs/"):
            with srv.lock:
                srv.in_flight += 1
                srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
            time.sleep(0.3)
            with srv.lock:
                srv.in_flight -= 1
            return self.send(page(f"Fan {path[-1]}").encode(), "text/html; charset=utf-8")
        if path == "/robots/":
            links = '<a href="/private/jobs/1">secret job</a>'
            return self.send(page("Open job", links).encode(), "text/html; charset=utf-8")
        return self.send(b"Not found\n", "text/plain", status=404)

    def send(self, body: bytes, ctype: str, headers: dict[str, str] | None = None, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def stream(self, chunk: bytes, repeat: int) -> None:
        """A body without Content-Length (ends when the connection closes)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for _ in range(repeat):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass


class HostileServer:
    """Serve the hostile site on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, slow_seconds: float = 3.0) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0  #: concurrent /fanout/jobs/ requests
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("HostileServer is not running; use it as a context manager")
        return int(self._httpd.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def __enter__(self) -> HostileServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), HostileHandler)
        httpd.daemon_threads = True
        httpd.owner = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="hostile-http", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
