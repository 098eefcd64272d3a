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
    # crawl safety (spiders/ssrf.py, spiders/middlewares.py): see the "Crawl safety and health" section below
    "spiders.ssrf.SsrfGuardMiddleware": 10,  # before OffsiteMiddleware (50): sees every redirect
    "spiders.middlewares.PageCapMiddleware": 20,
    "spiders.middlewares.RetryBackoffMiddleware": 30,
    "spiders.middlewares.HostileInputMiddleware": 585,  # after decompression (590)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "spiders.middlewares.CountingHttpCompressionMiddleware": 590,
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

# --- Crawl safety and health (spiders/middlewares.py, spiders/monitors.py; docs/settings.md) ---
#: Resolve names through a resolver that refuses private/metadata addresses at connect time.
TWISTED_DNS_RESOLVER = "spiders.ssrf.GuardedResolver"
#: Cloud metadata addresses are refused even when LUREWATCH_ALLOW_PRIVATE is true.
LUREWATCH_BLOCK_METADATA = True
#: Exponential wait before retries: base × 2^(n-1) seconds, at most max.
LUREWATCH_RETRY_BACKOFF_BASE = 1.0
LUREWATCH_RETRY_BACKOFF_MAX = 30.0
SPIDER_MIDDLEWARES = {"spiders.middlewares.ParseHealthMiddleware": 950}
EXTENSIONS = {"spiders.monitors.FieldCoverage": 500}
# Monitor thresholds and the page cap; the environment (pipeline/settings.py) overrides them.
LUREWATCH_MONITOR_MIN_ITEMS = int(SETTINGS_DOC["LUREWATCH_MONITOR_MIN_ITEMS"][0])
LUREWATCH_MONITOR_MAX_ERROR_RATE = float(SETTINGS_DOC["LUREWATCH_MONITOR_MAX_ERROR_RATE"][0])
LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE = float(SETTINGS_DOC["LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE"][0])
LUREWATCH_MONITOR_MIN_COVERAGE = SETTINGS_DOC["LUREWATCH_MONITOR_MIN_COVERAGE"][0]
LUREWATCH_PAGE_CAP = int(SETTINGS_DOC["LUREWATCH_PAGE_CAP"][0])

# --- Evidence and incremental crawling (spiders/warc.py, spiders/state.py, spiders/incremental.py) ---
# WARC capture sits nearer the downloader than HttpCompressionMiddleware (590) and
# RedirectMiddleware (600), after CaptureStampMiddleware (950) stamps the receipt time, so it
# stores bodies as received and every redirect hop. IncrementalMiddleware runs before
# HttpErrorMiddleware (50) so it sees 404/410 answers; WarcRecordStamp stamps records first.
DOWNLOADER_MIDDLEWARES["spiders.warc.WarcCaptureMiddleware"] = 900
SPIDER_MIDDLEWARES = {
    **globals().get("SPIDER_MIDDLEWARES", {}),
    "spiders.warc.WarcRecordStamp": 45,
    "spiders.incremental.IncrementalMiddleware": 40,
}
#: WARC root: <dir>/<source_id>/<partition>/<run start>-<pid>.warc.gz; unset = capture off.
LUREWATCH_WARC_DIR = None
#: Incremental state root: <dir>/<source_id>.sqlite3; unset = every crawl emits everything.
LUREWATCH_STATE_DIR = None
#: Most previously seen, no longer linked detail URLs one crawl re-checks for 404/410.
LUREWATCH_RECHECK_LIMIT = 50
