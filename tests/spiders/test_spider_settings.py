"""The Scrapy project settings: polite, identified, no control surfaces, spiders by kind."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import load_object

from pipeline.register import KIND_NAMES
from spiders.kinds import KINDS


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    return settings


def test_polite_and_identified() -> None:
    s = project_settings()
    assert s.getbool("ROBOTSTXT_OBEY")
    assert s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert 0 < s.getint("DOWNLOAD_TIMEOUT") <= 60
    assert 0 < s.getint("DOWNLOAD_MAXSIZE") <= 50 * 1024 * 1024
    assert s.get("USER_AGENT").startswith("LureWatch/")
    assert not s.getbool("COOKIES_ENABLED")


def test_no_control_surfaces_or_disk_writes() -> None:
    s = project_settings()
    assert not s.getbool("TELNETCONSOLE_ENABLED")
    assert not s.getbool("REMOTE_CONTROL_ENABLED")
    assert not s.getbool("HTTPCACHE_ENABLED")
    assert not s.get("JOBDIR")
    assert not s.getbool("LUREWATCH_ALLOW_PRIVATE")


def test_spider_loader_finds_one_spider_per_kind() -> None:
    loader = SpiderLoader.from_settings(project_settings())
    assert sorted(loader.list()) == sorted(KINDS)
    for kind, path in KINDS.items():
        assert loader.load(kind) is load_object(path)
        assert load_object(path).source_kind == kind


def test_spider_kinds_agree_with_the_register_kinds() -> None:
    # pipeline/register.py validates kinds by name (it never imports spiders); every name it
    # accepts must have a spider here, and every spider a name there.
    assert sorted(KINDS) == sorted(KIND_NAMES)
