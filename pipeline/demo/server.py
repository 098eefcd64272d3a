"""A static HTTP server for the demo fixture sites, bound to 127.0.0.1.

Use it as a context manager (port 0 picks a free port)::

    with FixtureServer(sites_root()) as srv:
        srv.url("/jobboard/index.html")

or by hand: ``python -m pipeline.demo.server --port 8099``.

URL → file mapping (everything stays under ``root``; directories are never listed):

* ``/a/b.html`` → ``root/a/b.html``; ``/a/`` → ``root/a/index.html``;
  an extension-less ``/a/b`` → ``root/a/b.html`` (clean URLs).
* ``/s/<channel>`` is mounted on ``root/telegram/s/``, so a Telegram preview's own
  root-relative links (``/s/<channel>?before=<id>``) work as they do on t.me;
  ``/telegram/s/<channel>`` serves the same page.
* ``?before=<id>`` on an extension-less path → ``<path>__before_<id>.html`` (the older page
  of a channel preview).
* ``/r/`` is mounted on ``root/reddit/r/`` (Reddit's own paths), and ``?after=t3_<id>`` on a
  ``.json`` path → ``<stem>__after_t3_<id>.json`` (the next page of a listing).
  Other query strings are ignored.
* In ``.xml`` files (sitemaps, feeds) ``{{origin}}`` is replaced by ``http://<Host header>``,
  so absolute ``<loc>`` URLs point back at this server whatever its port.
"""

from __future__ import annotations

import argparse
import mimetypes
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

#: URL prefix → directory under root.
MOUNTS = {"/s/": "telegram/s/", "/r/": "reddit/r/"}
_TEXT_TYPES = {
    ".html": "text/html",
    ".txt": "text/plain",
    ".css": "text/css",
    ".json": "application/json",
    ".js": "text/javascript",
    ".xml": "application/xml",
}
_BEFORE = re.compile(r"^\d{1,19}$")
_AFTER = re.compile(r"^t3_[0-9a-z]{1,13}$")
_HOST = re.compile(r"^[A-Za-z0-9.\[\]:-]{1,255}$")


def resolve(root: Path, target: str) -> Path | None:
    """The file under ``root`` that serves request target ``target``, or None (404)."""
    parts = urlsplit(target)
    path = unquote(parts.path)
    if "\x00" in path or "\\" in path:
        return None
    for prefix, mount in MOUNTS.items():
        if path.startswith(prefix):
            path = "/" + mount + path[len(prefix) :]
            break
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    elif not Path(rel).suffix:
        before = parse_qs(parts.query).get("before", [""])[0]
        rel += f"__before_{before}.html" if _BEFORE.match(before) else ".html"
    elif rel.endswith(".json") and "after" in parse_qs(parts.query):
        after = parse_qs(parts.query)["after"][0]
        if not _AFTER.match(after):
            return None
        rel = rel.removesuffix(".json") + f"__after_{after}.json"
    base = root.resolve()
    candidate = (base / rel).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


class FixtureHandler(BaseHTTPRequestHandler):
    """GET/HEAD for static files under ``server.root``; quiet (no access log)."""

    server_version = "LureWatchFixture/1"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def _serve(self, *, body: bool) -> None:
        root: Path = self.server.root  # type: ignore[attr-defined]
        path = resolve(root, self.path)
        if path is None:
            payload = b"Not found\n"
            self._headers(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", len(payload))
        else:
            payload = path.read_bytes()
            host = self.headers.get("Host", "")
            if path.suffix == ".xml" and _HOST.match(host):
                payload = payload.replace(b"{{origin}}", f"http://{host}".encode())
            self._headers(HTTPStatus.OK, content_type(path), len(payload))
        if body:
            self.wfile.write(payload)

    def _headers(self, status: HTTPStatus, ctype: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the per-request access log."""


def content_type(path: Path) -> str:
    """Content-Type for a file; text types carry ``charset=utf-8``."""
    suffix = path.suffix.lower()
    if suffix in _TEXT_TYPES:
        return f"{_TEXT_TYPES[suffix]}; charset=utf-8"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class FixtureServer:
    """Serve ``root`` on ``host:port`` (port 0 = a free port) in a background thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash); valid once started."""
        if self._httpd is None:
            raise RuntimeError("FixtureServer is not running; use it as a context manager")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> FixtureServer:
        httpd = ThreadingHTTPServer((self.host, self.port), FixtureHandler)
        httpd.daemon_threads = True
        httpd.root = self.root  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="fixture-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    from pipeline.demo import sites_root

    ap = argparse.ArgumentParser(description="Serve the LureWatch demo fixture sites on 127.0.0.1.")
    ap.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    ap.add_argument("--root", type=Path, default=None, help="sites directory (default: bundled)")
    args = ap.parse_args(argv)
    with FixtureServer(args.root or sites_root(), port=args.port) as srv:
        print(
            f"serving {srv.root} at {srv.base_url}/  (job board: {srv.url('jobboard/index.html')}, "
            f"telegram: {srv.url('s/vieclam_nuocngoai_24h')}); Ctrl-C to stop",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
