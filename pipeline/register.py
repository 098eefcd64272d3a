"""The source register (``spiders/sources.yaml``, or the file ``LUREWATCH_SOURCES`` names):
which sources to crawl, how, when, under what legal basis and for how long captures are kept.
Read by ``pipeline`` (crawls, retention, the CLI) and, as plain YAML, by the DAG file; never
by the spiders, which get everything on their command line (:meth:`Source.run_args`).

Shape (one entry per source; the file's header repeats it for operators)::

    sources:
      - id: vn-jobboard              # a-z 0-9 . _ - ; names data/raw/<id>/
        kind: jobposting             # jobposting | feed | telegram | reddit | listing
        start_urls: [https://…]      # http(s); telegram: https://t.me/s/<channel>
        enabled: true                # default true
        schedule: "0 */6 * * *"      # cron (5 fields, checked with croniter) or @hourly/@daily/…;
                                     # default @daily
        delay: 1.0                   # politeness: seconds between requests (default 1)
        concurrency: 1               # politeness: parallel requests to the site (default 1)
        lang: vi                     # language hint
        region: [VN, KH]             # ISO 3166-1 alpha-2 region hints
        legal_basis: "…"             # why collecting this public source is lawful (required
                                     # unless local: true)
        tos_notes: "…"               # what the site's terms and robots.txt say
        retention_days: 365          # how long raw captures are kept (default 365)
        local: false                 # true allows loopback/private hosts (tests, demo)
        max_pages: 3                 # listing/preview pages followed per start URL
        selectors: {…}               # listing kind only: item_links, next_page, title, text, …

:func:`load_register` validates every entry and raises :class:`RegisterError` naming the
entry and the field. An operator adds a source by adding an entry; no code changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from croniter import CroniterError, croniter

from pipeline.hostpolicy import start_url_problem

#: The source kinds, one spider each. ``spiders.kinds.KINDS`` maps each name to its spider
#: class (tests/spiders/test_spider_settings.py checks the two agree).
KIND_NAMES = ("jobposting", "feed", "telegram", "reddit", "listing")

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_REGION = re.compile(r"^[A-Z]{2}$")
#: Airflow schedule presets croniter does not know (None: not a cron schedule).
_AIRFLOW_PRESETS: dict[str, str | None] = {"@once": None, "@quarterly": "0 0 1 */3 *"}
_CRON_START = datetime(2026, 1, 1, tzinfo=UTC)
_TELEGRAM_PATH = re.compile(r"^/(?:telegram/)?s/[A-Za-z0-9_]{4,64}/?$")
_LISTING_SELECTORS = ("item_links", "title", "text")


class RegisterError(ValueError):
    """The register is unreadable or an entry is invalid; the message names entry and field."""


@dataclass(frozen=True)
class Source:
    """One register entry, validated."""

    id: str
    kind: str
    start_urls: tuple[str, ...]
    enabled: bool = True
    schedule: str = "@daily"
    delay: float | None = None
    concurrency: int = 1
    lang: str | None = None
    region: tuple[str, ...] = ()
    legal_basis: str | None = None
    tos_notes: str | None = None
    retention_days: int = 365
    local: bool = False
    max_pages: int | None = None
    selectors: dict[str, str] = field(default_factory=dict)

    def run_args(self) -> list[str]:
        """``python -m spiders.run`` arguments for this source (add ``--partition``/``--out``)."""
        args = ["--kind", self.kind, "--source-id", self.id]
        for url in self.start_urls:
            args += ["--url", url]
        if self.max_pages is not None:
            args += ["--max-pages", str(self.max_pages)]
        if self.lang:
            args += ["--lang", self.lang]
        if self.local:
            args.append("--allow-private")
        if self.delay is not None:
            args += ["--set", f"DOWNLOAD_DELAY={self.delay}",
                     "--set", f"AUTOTHROTTLE_START_DELAY={self.delay}"]
        args += ["--set", f"CONCURRENT_REQUESTS_PER_DOMAIN={self.concurrency}"]
        if self.selectors:
            args += ["--spider-arg", "selectors=" + json.dumps(self.selectors, ensure_ascii=False)]
        return args


_FIELDS = {f.name for f in fields(Source)}


def _fail(where: str, name: str, problem: str) -> RegisterError:
    return RegisterError(f"{where}: field {name!r}: {problem}")


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {value!r}"


def _int(lo: int, hi: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            return f"{value!r} must be an integer from {lo} to {hi}"
        return None
    return check


def _delay(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
        return f"{value!r} must be a number of seconds between 0 and 3600"
    return None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def _lang(value: Any) -> str | None:
    if not isinstance(value, str) or not _LANG.match(value):
        return f"{value!r} is not a language tag like 'vi' or 'zh-Hans'"
    return None


def _schedule(value: Any) -> str | None:
    """A cron expression Airflow can schedule: 5 fields, or a preset (@hourly, @daily…)."""
    usage = "use 5 cron fields like '0 */6 * * *' or a preset like @daily"
    if not isinstance(value, str):
        return f"{value!r} is not a cron expression; {usage}"
    expr = _AIRFLOW_PRESETS.get(value.strip(), value.strip())
    if expr is None:
        return None
    if not expr.startswith("@") and len(expr.split()) != 5:
        return f"{value!r} has {len(expr.split())} fields, not 5; {usage}"
    try:
        croniter(expr, _CRON_START).get_next(datetime)
    except CroniterError as exc:
        return f"{value!r} is not a valid cron expression ({exc}); {usage}"
    return None


def _region(value: Any) -> str | None:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(
        isinstance(v, str) and _REGION.match(v) for v in values
    ):
        return f"{value!r} must be an ISO 3166-1 alpha-2 code like VN, or a list of them"
    return None


def _selectors(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        return "must map selector names (item_links, next_page, title, text, …) to CSS or xpath: strings"
    return None


#: Optional fields: name → check returning a problem or None.
_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "enabled": _bool, "local": _bool, "schedule": _schedule, "delay": _delay,
    "concurrency": _int(1, 16), "lang": _lang, "region": _region, "legal_basis": _text,
    "tos_notes": _text, "retention_days": _int(1, 3650), "max_pages": _int(1, 1000),
    "selectors": _selectors,
}


def _check_urls(kind: str, urls: Any, local: bool, where: str) -> tuple[str, ...]:
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        raise _fail(where, "start_urls", "give a non-empty list of http(s) URLs")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise _fail(where, "start_urls", f"{url!r} is not an http(s) URL")
        if problem := start_url_problem(parts.hostname, allow_private=local, hint="set local: true if intended"):
            raise _fail(where, "start_urls", f"{url!r} {problem}")
        if kind == "telegram" and not _TELEGRAM_PATH.match(parts.path):
            raise _fail(where, "start_urls", f"{url!r} is not a channel preview like https://t.me/s/<channel>")
        if kind == "reddit" and not parts.path.endswith(".json"):
            raise _fail(where, "start_urls", f"{url!r} is not a listing like https://www.reddit.com/r/<sub>/new.json")
    return tuple(urls)


def _parse_source(entry: Any, where: str) -> Source:
    if not isinstance(entry, dict):
        raise RegisterError(f"{where}: must be a mapping with id, kind, start_urls")
    sid = entry.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise _fail(where, "id", f"{sid!r} is not 1-64 of a-z 0-9 . _ - starting with a letter or digit")
    where = f"{where} ({sid})"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise _fail(where, unknown[0], f"unknown field (known: {', '.join(sorted(_FIELDS))})")
    kind = entry.get("kind")
    if kind not in KIND_NAMES:
        raise _fail(where, "kind", f"{kind!r} is not one of {', '.join(sorted(KIND_NAMES))}")
    for name, check in _CHECKS.items():
        if entry.get(name) is not None and (problem := check(entry[name])):
            raise _fail(where, name, problem)
    local = bool(entry.get("local", False))
    urls = _check_urls(kind, entry.get("start_urls"), local, where)
    if not local and not entry.get("legal_basis"):
        raise _fail(where, "legal_basis", "say why collecting this public source is lawful "
                    "(required for every non-local source)")
    selectors = entry.get("selectors") or {}
    if kind == "listing":
        missing = [s for s in _LISTING_SELECTORS if s not in selectors]
        if missing:
            raise _fail(where, "selectors", f"a listing source needs {', '.join(missing)}")
    elif selectors:
        raise _fail(where, "selectors", f"only listing sources take selectors, not {kind}")
    region = entry.get("region") or ()
    values = {k: v for k, v in entry.items() if k in _CHECKS and v is not None}
    values.update(
        start_urls=urls,
        region=(region,) if isinstance(region, str) else tuple(region),
        delay=None if entry.get("delay") is None else float(entry["delay"]),
        selectors=dict(selectors),
        schedule=str(entry.get("schedule") or "@daily").strip(),
    )
    return Source(id=sid, kind=kind, **values)


def parse_register(data: Any, origin: str = "register") -> list[Source]:
    """Validate loaded YAML (``{"sources": [...]}``); raises :class:`RegisterError`."""
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"sources"}:
        raise RegisterError(f"{origin}: top level must be a mapping with one key, 'sources'")
    entries = data.get("sources") or []
    if not isinstance(entries, list):
        raise RegisterError(f"{origin}: 'sources' must be a list of entries")
    out: list[Source] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        src = _parse_source(entry, f"{origin}: sources[{i}]")
        if src.id in seen:
            raise _fail(f"{origin}: sources[{i}] ({src.id})", "id", "duplicate id")
        seen.add(src.id)
        out.append(src)
    return out


def load_register(path: str | Path) -> list[Source]:
    """All sources in the register file at ``path`` (enabled or not), validated."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text("utf-8"))
    except OSError as exc:
        raise RegisterError(f"{p}: cannot read the register: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RegisterError(f"{p}: not valid YAML: {exc}") from exc
    return parse_register(data, origin=str(p))


def is_source_id(value: object) -> bool:
    """True for a well-formed source id (it names ``raw/<id>/``, so it is safe in a path)."""
    return isinstance(value, str) and bool(_ID.match(value))
