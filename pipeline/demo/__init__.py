"""Demo fixture sites (fictional job board and Telegram channel preview) and the small
HTTP server that serves them on 127.0.0.1 for tests and the demo."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sites_root() -> Path:
    """Directory of the bundled fixture sites (``pipeline/demo/sites``)."""
    return Path(str(resources.files("pipeline.demo").joinpath("sites")))


#: Start paths of the demo sources on the fixture server.
JOBBOARD_PATH = "/jobboard/index.html"
TELEGRAM_PATH = "/s/vieclam_nuocngoai_24h"
#: The demo's sources as served by the fixture server: (id, kind, path, lang).
DEMO_SOURCES = (
    ("demo-jobboard", "jobposting", JOBBOARD_PATH, None),
    ("demo-telegram-vieclam", "telegram", TELEGRAM_PATH, "vi"),
)


def demo_register(base_url: str) -> dict[str, object]:
    """A source register (the YAML structure of ``spiders/sources.yaml``) pointing at a
    fixture server at ``base_url``; entries are ``local: true`` because it is on 127.0.0.1,
    with no politeness delay because the server is our own."""
    base = base_url.rstrip("/")
    return {
        "sources": [
            {
                "id": sid,
                "kind": kind,
                "start_urls": [base + path],
                "local": True,
                "max_pages": 3,
                "delay": 0,
                **({"lang": lang} if lang else {}),
            }
            for sid, kind, path, lang in DEMO_SOURCES
        ]
    }
