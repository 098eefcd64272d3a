"""The source register (``spiders/sources.yaml``): which sources to crawl, how and when.

Shape::

    sources:
      - id: vn-jobboard            # a-z 0-9 . _ - ; names data/raw/<id>/
        kind: jobposting           # a key of spiders.kinds.KINDS
        start_urls: [https://…]    # http(s); for telegram: https://t.me/s/<channel>
        enabled: true              # default true
        lang: vi                   # optional language hint
        local: false               # default false; true allows loopback/private hosts
        max_pages: 3               # optional, >= 1
        delay: 1.0                 # optional politeness: seconds between requests (default 1)
        schedule: "0 */6 * * *"    # optional cron (5 fields) or @hourly/@daily/…

:func:`load_register` validates every entry and raises :class:`RegisterError` naming the
entry and the field. To add a field: add it to :class:`Source` and a check in
:func:`_parse_source`; unknown fields are errors so typos never pass silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from spiders.capture import is_private_host
from spiders.kinds import KINDS

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")
_CRON_PRESETS = frozenset(
    {"@once", "@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"}
)
_TELEGRAM_PATH = re.compile(r"^/(?:telegram/)?s/[A-Za-z0-9_]{4,64}/?$")


class RegisterError(ValueError):
    """The register is unreadable or an entry is invalid; the message names entry and field."""


@dataclass(frozen=True)
class Source:
    """One register entry, validated."""

    id: str
    kind: str
    start_urls: tuple[str, ...]
    enabled: bool = True
    lang: str | None = None
    local: bool = False
    max_pages: int | None = None
    schedule: str | None = None
    delay: float | None = None

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
        return args


_FIELDS = {f.name for f in fields(Source)}


def _fail(where: str, field: str, problem: str) -> RegisterError:
    return RegisterError(f"{where}: field {field!r}: {problem}")


def _bool(entry: dict[str, Any], name: str, default: bool, where: str) -> bool:
    value = entry.get(name, default)
    if not isinstance(value, bool):
        raise _fail(where, name, f"must be true or false, got {value!r}")
    return value


def _parse_source(entry: Any, where: str) -> Source:
    if not isinstance(entry, dict):
        raise RegisterError(f"{where}: must be a mapping with id, kind, start_urls")
    sid = entry.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise _fail(
            where, "id", f"{sid!r} is not 1-64 of a-z 0-9 . _ - starting with a letter or digit"
        )
    where = f"{where} ({sid})"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise _fail(where, unknown[0], f"unknown field (known: {', '.join(sorted(_FIELDS))})")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise _fail(where, "kind", f"{kind!r} is not one of {', '.join(sorted(KINDS))}")
    local = _bool(entry, "local", False, where)
    urls = entry.get("start_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        raise _fail(where, "start_urls", "give a non-empty list of http(s) URLs")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise _fail(where, "start_urls", f"{url!r} is not an http(s) URL")
        if not local and is_private_host(parts.hostname):
            raise _fail(
                where,
                "start_urls",
                f"{url!r} is a loopback/private address; set local: true if intended",
            )
        if kind == "telegram" and not _TELEGRAM_PATH.match(parts.path):
            raise _fail(
                where,
                "start_urls",
                f"{url!r} is not a channel preview like https://t.me/s/<channel>",
            )
    lang = entry.get("lang")
    if lang is not None and (not isinstance(lang, str) or not _LANG.match(lang)):
        raise _fail(where, "lang", f"{lang!r} is not a language tag like 'vi' or 'zh-Hans'")
    max_pages = entry.get("max_pages")
    if max_pages is not None and (
        isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1
    ):
        raise _fail(where, "max_pages", f"{max_pages!r} must be an integer >= 1")
    delay = entry.get("delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)
                              or not 0 <= delay <= 3600):
        raise _fail(where, "delay", f"{delay!r} must be a number of seconds between 0 and 3600")
    schedule = entry.get("schedule")
    if schedule is not None:
        ok = isinstance(schedule, str) and (
            schedule.strip() in _CRON_PRESETS
            or (len(schedule.split()) == 5 and all(_CRON_FIELD.match(f) for f in schedule.split()))
        )
        if not ok:
            raise _fail(
                where,
                "schedule",
                f"{schedule!r} is not a 5-field cron expression or @daily-style preset",
            )
    return Source(
        id=sid,
        kind=kind,
        start_urls=tuple(urls),
        enabled=_bool(entry, "enabled", True, where),
        lang=lang,
        local=local,
        max_pages=max_pages,
        schedule=schedule,
        delay=None if delay is None else float(delay),
    )


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
