"""Stage 3: indicators. Runs the sourced patterns of ``pipeline/indicators.yaml`` over the
normalized title and text and records every hit with its evidence span in the text as
captured (``IndicatorHit.start``/``end`` index ``field`` exactly as given)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from pipeline.records import IndicatorHit, Record
from pipeline.settings import Settings
from pipeline.textnorm import normalize_text

VERSION = "indicators.v1"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    weight: float
    context: bool
    patterns: tuple[tuple[re.Pattern[str], float], ...]  # (compiled, weight of a hit)


@lru_cache(maxsize=1)
def load_indicators() -> tuple[Indicator, ...]:
    """The indicator catalogue (loaded and compiled once). Raises ValueError naming the
    indicator whose pattern does not compile."""
    raw = resources.files("pipeline").joinpath("indicators.yaml").read_text("utf-8")
    out = []
    for item in yaml.safe_load(raw):
        unverified = set(item.get("unverified") or [])
        by_weight: dict[float, list[str]] = {}
        for lang, pats in (item.get("patterns") or {}).items():
            for pat in pats:
                try:
                    re.compile(pat)
                except re.error as exc:
                    raise ValueError(f"indicator {item['id']} ({lang}): bad pattern {pat!r}: {exc}") from exc
                weight = item.get("unverified_weight", 0.25) if pat in unverified else item["weight"]
                by_weight.setdefault(float(weight), []).append(pat)
        # One alternation per (indicator, weight): one scan of the text instead of one per
        # pattern; overlapping hits of the same indicator are reported once.
        compiled = [(re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE), w)
                    for w, pats in by_weight.items()]
        out.append(Indicator(item["id"], item["label"], float(item["weight"]),
                             bool(item.get("context")), tuple(compiled)))
    return tuple(out)


def indicator_hits(text: str, field: str = "text") -> list[IndicatorHit]:
    """Every indicator hit in ``text`` (one per indicator and evidence span)."""
    norm = normalize_text(text)
    hits: dict[tuple[str, int, int], IndicatorHit] = {}
    for ind in load_indicators():
        for rx, weight in ind.patterns:
            for m in rx.finditer(norm.text):
                if m.end() == m.start():
                    continue
                start, end = norm.to_original(m.start(), m.end())
                key = (ind.id, start, end)
                if key not in hits:
                    hits[key] = IndicatorHit(id=ind.id, start=start, end=end, weight=weight,
                                             evidence=text[start:end], field=field)
    return sorted(hits.values(), key=lambda h: (h.field, h.start, h.id))


def indicators(records: Iterable[Record], *, settings: Settings | None = None) -> Iterator[Record]:
    for record in records:
        hits = indicator_hits(record.title, "title") if record.title else []
        hits += indicator_hits(record.text, "text")
        record.indicators = hits
        record.stages["indicators"] = VERSION
        yield record
