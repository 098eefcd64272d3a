"""Fixtures for spider tests: the demo sites served on 127.0.0.1, and the two demo crawls
(run once per session through ``python -m spiders.run``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from spiders_testkit import CHANNEL, JOBBOARD, PARTITION, CrawlResult, run_crawl

from pipeline.demo import sites_root
from pipeline.demo.server import FixtureServer


@pytest.fixture(scope="session")
def fixture_site() -> Iterator[FixtureServer]:
    """The bundled demo sites served on 127.0.0.1 (a free port) for the whole session."""
    with FixtureServer(sites_root()) as srv:
        yield srv


@pytest.fixture(scope="session")
def jobboard_crawl(fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    out = tmp_path_factory.mktemp("jobboard") / f"{PARTITION}.jsonl"
    return run_crawl("jobposting", [fixture_site.url(JOBBOARD)], out, source_id="demo-jobboard")


@pytest.fixture(scope="session")
def telegram_crawl(fixture_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    out = tmp_path_factory.mktemp("telegram") / f"{PARTITION}.jsonl"
    return run_crawl("telegram", [fixture_site.url(CHANNEL)], out, "--lang", "vi",
                     source_id="demo-telegram")
