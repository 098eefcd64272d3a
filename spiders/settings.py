"""Scrapy settings for the LureWatch spiders (polite by default).

``python -m spiders.run`` loads this module and overrides ``USER_AGENT`` (from
``LUREWATCH_USER_AGENT``), ``LUREWATCH_OUTPUT`` and ``LUREWATCH_ALLOW_PRIVATE``. Nothing here
writes to disk: no HTTP cache, no job directory, no telnet console, no remote-control job file.
"""

from __future__ import annotations

from pipeline.settings import SETTINGS_DOC

BOT_NAME = "lurewatch"
SPIDER_MODULES = ["spiders.kinds"]
NEWSPIDER_MODULE = "spiders.kinds"

USER_AGENT = SETTINGS_DOC["LUREWATCH_USER_AGENT"][0]
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False  # we never log in or keep sessions

# Politeness: at most 2 requests at a time per site, AutoThrottle adapts the delay to latency.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5

# Scrapy >= 2.13 has a single request fingerprinter (the old REQUEST_FINGERPRINTER_IMPLEMENTATION
# switch is gone); name the current class explicitly.
REQUEST_FINGERPRINTER_CLASS = "scrapy.utils.request.RequestFingerprinter"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # Scrapy's default

# No control surfaces: Scrapy's telnet console and its remote-control HTTP server (which runs
# Python sent to it and writes a token file under the user's state directory) stay off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "spiders.capture.PrivateAddressGuard": 50,
    "spiders.capture.CaptureStampMiddleware": 950,
}
ITEM_PIPELINES = {
    "spiders.pipelines.RecordValidationPipeline": 100,
    "spiders.pipelines.JsonLinesRecordWriter": 800,
}

#: Output JSON-lines path (set per run); unset switches the writer off.
LUREWATCH_OUTPUT = None
#: Allow loopback/private hosts (tests, the demo, register entries with ``local: true``).
LUREWATCH_ALLOW_PRIVATE = False
