"""Fixtures for spider tests: the demo sites served on 127.0.0.1, and the two demo crawls
(run once per session through ``python -m spiders.run`` in a subprocess)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.demo import JOBBOARD_PATH, TELEGRAM_PATH, sites_root
from pipeline.demo.crawl import CrawlResult, run_crawl
from pipeline.demo.server import FixtureServer

PARTITION = "2026-11-28"


@pytest.fixture(scope="session")
def fixture_site() -> Iterator[FixtureServer]:
    """The bundled demo sites on 127.0.0.1 (a free port) for the whole session."""
    with FixtureServer(sites_root()) as srv:
        yield srv


@pytest.fixture(scope="session")
def jobboard_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out = tmp_path_factory.mktemp("jobboard") / f"{PARTITION}.jsonl"
    return run_crawl(
        "jobposting",
        [fixture_site.url(JOBBOARD_PATH)],
        out,
        source_id="demo-jobboard",
        partition=PARTITION,
    )


@pytest.fixture(scope="session")
def telegram_crawl(
    fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    out = tmp_path_factory.mktemp("telegram") / f"{PARTITION}.jsonl"
    return run_crawl(
        "telegram",
        [fixture_site.url(TELEGRAM_PATH)],
        out,
        "--lang",
        "vi",
        source_id="demo-telegram",
        partition=PARTITION,
    )
