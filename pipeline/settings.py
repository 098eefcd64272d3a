"""The one place that reads the environment.

Every setting is a ``LUREWATCH_*`` variable, typed and defaulted here and documented in
docs/settings.md (a test fails when one is not). Everything else receives a
:class:`Settings` object.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent

#: name → (default, one-line description). docs/settings.md must mention every name.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "LUREWATCH_DATA_DIR": ("./lurewatch-data", "where raw partitions, the SQLite store and logs live"),
    "LUREWATCH_ES_URL": ("", "Elasticsearch URL; when set, the store is Elasticsearch instead of SQLite"),
    "LUREWATCH_ES_INDEX": ("lurewatch-records", "Elasticsearch index name for records"),
    "LUREWATCH_ES_RETRIES": ("5", "retries of a failed Elasticsearch bulk request (429, 5xx, no answer)"),
    "LUREWATCH_ES_BACKOFF": ("1.0", "seconds before the first retry; doubles each retry"),
    "LUREWATCH_ES_BACKOFF_MAX": ("30", "longest wait between retries, in seconds"),
    "LUREWATCH_ES_MAX_DOC_BYTES": ("5000000", "records larger than this (JSON bytes) go to the dead letter"),
    "LUREWATCH_ES_ROLLOVER_MAX_DOCS": ("10000000", "roll the write index over at this many documents (0: off)"),
    "LUREWATCH_ES_ROLLOVER_MAX_AGE": ("30d", "roll the write index over at this age (empty: off)"),
    "LUREWATCH_ES_ROLLOVER_MAX_SIZE": ("50gb", "roll the write index over at this primary shard size (empty: off)"),
    "LUREWATCH_SOURCES": ("spiders/sources.yaml", "the source register (YAML)"),
    "LUREWATCH_MODEL": ("models/artifacts/lurewatch-clf.skops", "classifier artefact (skops)"),
    "LUREWATCH_THRESHOLD": ("", "override the model card's flag threshold (0..1)"),
    "LUREWATCH_USER_AGENT": ("LureWatch/0.1 (+https://github.com/lurewatch/lurewatch; research crawler)",
                             "User-Agent sent by spiders"),
    "LUREWATCH_ALLOW_PRIVATE": ("0", "1 allows fetching private/loopback addresses (tests and the demo)"),
    "LUREWATCH_CRAWL_TIMEOUT": ("600", "seconds before a spider subprocess is stopped"),
    "LUREWATCH_WORKERS": ("0", "processes the process stage scores in (0: one per CPU core)"),
    # crawl health monitors and crawl safety (Scrapy settings of the same name; these override them)
    "LUREWATCH_MONITOR_MIN_ITEMS": ("1", "a crawl with fewer records fails"),
    "LUREWATCH_MONITOR_MAX_ERROR_RATE": ("0.25", "a crawl whose share of failed requests is higher fails"),
    "LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE": ("0.5", "a crawl whose share of pages the parser found nothing on "
                                              "is higher fails (parser stopped matching)"),
    "LUREWATCH_MONITOR_MIN_COVERAGE": ("text=0.8,url=1", "minimum share of records with each field non-empty"),
    "LUREWATCH_PAGE_CAP": ("500", "most pages one crawl fetches (0: no cap)"),
}

#: Variables forwarded to the spider process as Scrapy settings of the same name (see spiders/run.py).
CRAWL_SETTINGS = (
    "LUREWATCH_MONITOR_MIN_ITEMS",
    "LUREWATCH_MONITOR_MAX_ERROR_RATE",
    "LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE",
    "LUREWATCH_MONITOR_MIN_COVERAGE",
    "LUREWATCH_PAGE_CAP",
)


class ConfigError(ValueError):
    """A setting has an invalid value; the message names the variable and what to do."""


def _env(name: str, env: dict[str, str]) -> str:
    return env.get(name, SETTINGS_DOC[name][0])


def _crawl_settings(env: dict[str, str]) -> dict[str, str]:
    """The crawl monitor/safety variables, checked here so a bad value fails before a crawl."""
    out = {name: _env(name, env).strip() for name in CRAWL_SETTINGS}
    for name in ("LUREWATCH_MONITOR_MIN_ITEMS", "LUREWATCH_PAGE_CAP"):
        if not out[name].isdigit():
            raise ConfigError(f"{name}={out[name]!r} must be a whole number >= 0")
    for name in ("LUREWATCH_MONITOR_MAX_ERROR_RATE", "LUREWATCH_MONITOR_MAX_EMPTY_PAGE_RATE"):
        try:
            rate = float(out[name])
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 1.0:
            raise ConfigError(f"{name}={out[name]!r} must be a share between 0 and 1 (e.g. 0.25)")
    for pair in filter(None, (p.strip() for p in out["LUREWATCH_MONITOR_MIN_COVERAGE"].split(","))):
        name, _, share = pair.partition("=")
        try:
            ok = name.strip() in COVERAGE_FIELDS and 0.0 <= float(share) <= 1.0
        except ValueError:
            ok = False
        if not ok:
            raise ConfigError(
                f"LUREWATCH_MONITOR_MIN_COVERAGE: {pair!r} must be FIELD=SHARE with FIELD one of "
                f"{', '.join(COVERAGE_FIELDS)} and SHARE in 0..1 (e.g. text=0.8,url=1)"
            )
    return out


def _es_settings(env: dict[str, str]) -> dict[str, Any]:
    """The Elasticsearch retry, size and rollover variables, checked."""
    out: dict[str, Any] = {}
    for name, key, kind in (("LUREWATCH_ES_RETRIES", "es_retries", int),
                            ("LUREWATCH_ES_BACKOFF", "es_backoff", float),
                            ("LUREWATCH_ES_BACKOFF_MAX", "es_backoff_max", float),
                            ("LUREWATCH_ES_MAX_DOC_BYTES", "es_max_doc_bytes", int),
                            ("LUREWATCH_ES_ROLLOVER_MAX_DOCS", "es_rollover_max_docs", int)):
        raw = _env(name, env).strip()
        try:
            value = kind(raw)
        except ValueError:
            value = -1
        if value < 0:
            raise ConfigError(f"{name}={raw!r} must be a number >= 0")
        out[key] = value
    for name, key in (("LUREWATCH_ES_ROLLOVER_MAX_AGE", "es_rollover_max_age"),
                      ("LUREWATCH_ES_ROLLOVER_MAX_SIZE", "es_rollover_max_size")):
        raw = _env(name, env).strip()
        if raw and not re.fullmatch(r"\d+(d|h|m|s|ms|b|kb|mb|gb|tb)", raw.lower()):
            raise ConfigError(f"{name}={raw!r} must look like 30d / 12h (age) or 50gb (size), or be empty")
        out[key] = raw
    return out


#: Record fields whose coverage the crawl monitors can require (spiders.monitors.KEY_FIELDS).
COVERAGE_FIELDS = ("title", "text", "published_at", "url")


def _cores() -> int:
    """CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _resolve(path: str, base: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


@dataclass(frozen=True)
class Settings:
    """Typed settings. Construct with literals in tests; use :meth:`from_env` elsewhere."""

    data_dir: Path
    sources_file: Path
    model_path: Path
    es_url: str | None = None
    es_index: str = "lurewatch-records"
    es_retries: int = 5
    es_backoff: float = 1.0
    es_backoff_max: float = 30.0
    es_max_doc_bytes: int = 5_000_000
    es_rollover_max_docs: int = 10_000_000
    es_rollover_max_age: str = "30d"
    es_rollover_max_size: str = "50gb"
    threshold: float | None = None
    user_agent: str = SETTINGS_DOC["LUREWATCH_USER_AGENT"][0]
    allow_private: bool = False
    crawl_timeout: float = 600.0
    #: processes the analysis stages run in (0: one per CPU core; 1: in the calling process)
    workers: int = 1
    #: ``LUREWATCH_MONITOR_*`` / ``LUREWATCH_PAGE_CAP`` as validated strings, by variable name.
    crawl: dict[str, str] = field(default_factory=lambda: {n: SETTINGS_DOC[n][0] for n in CRAWL_SETTINGS})

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read ``LUREWATCH_*`` from ``env`` (default ``os.environ``); raises ConfigError."""
        e = dict(os.environ if env is None else env)
        thr_raw = _env("LUREWATCH_THRESHOLD", e).strip()
        threshold: float | None = None
        if thr_raw:
            try:
                threshold = float(thr_raw)
            except ValueError as exc:
                raise ConfigError(f"LUREWATCH_THRESHOLD={thr_raw!r} is not a number in 0..1") from exc
            if not 0.0 <= threshold <= 1.0:
                raise ConfigError(f"LUREWATCH_THRESHOLD={thr_raw!r} must be between 0 and 1")
        try:
            timeout = float(_env("LUREWATCH_CRAWL_TIMEOUT", e))
        except ValueError as exc:
            raise ConfigError("LUREWATCH_CRAWL_TIMEOUT must be a number of seconds") from exc
        workers_raw = _env("LUREWATCH_WORKERS", e).strip()
        if not workers_raw.isdigit():
            raise ConfigError(f"LUREWATCH_WORKERS={workers_raw!r} must be a whole number >= 0 (0: one per core)")
        es_url = _env("LUREWATCH_ES_URL", e).strip() or None
        if es_url and not es_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"LUREWATCH_ES_URL={es_url!r} must start with http:// or https:// "
                "(or unset it to use the embedded SQLite store)"
            )
        return cls(
            **_es_settings(e),
            crawl=_crawl_settings(e),
            data_dir=_resolve(_env("LUREWATCH_DATA_DIR", e), Path.cwd()),
            sources_file=_resolve(_env("LUREWATCH_SOURCES", e), PROJECT_ROOT),
            model_path=_resolve(_env("LUREWATCH_MODEL", e), PROJECT_ROOT),
            es_url=es_url,
            es_index=_env("LUREWATCH_ES_INDEX", e),
            threshold=threshold,
            user_agent=_env("LUREWATCH_USER_AGENT", e),
            allow_private=_env("LUREWATCH_ALLOW_PRIVATE", e).strip().lower() in {"1", "true", "yes"},
            crawl_timeout=timeout,
            workers=int(workers_raw) or _cores(),
        )

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "store.sqlite3"

    def raw_partition(self, source_id: str, partition: str) -> Path:
        """Where a source's captured records for one day live (JSON lines)."""
        return self.raw_dir / source_id / f"{partition}.jsonl"
