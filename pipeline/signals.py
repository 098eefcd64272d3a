"""A post's signals: the one composition of normalize → extract → indicators.

:func:`post_signals` is the only place these three steps are chained. The daily pipeline
(:mod:`pipeline.stages.signals`), ``lurewatch score`` and ``lurewatch extract``
(:mod:`pipeline.offline`) and training (:mod:`models.dataset`) all call it, so the features a
model is trained on are those it is served.

Each field (title, text) is normalized once (:func:`pipeline.textnorm.normalize_text`) and the
normalized text is handed to the extractors and the indicators, then kept in the result
(``analysis_text`` is what the classifier reads and what the record stores as ``norm_text``).

Where language and region come from (:func:`resolve_lang`):

* **language**: the one given with the post, reduced to its primary ISO 639 subtag
  (``vi-VN`` → ``vi``, a bilingual label ``th/en`` → ``th``), with ``lang_source`` saying who
  gave it: ``spider`` (the page's declared language or the register's ``lang`` for the source,
  set at capture) or ``label`` (the ``lang`` of a labelled row or of an offline input line);
  when none is given, the language detected from the text (:func:`pipeline.langid.detect`),
  ``lang_source`` ``detected``; ``und`` when it cannot be told.
* **region** (ISO 3166-1 alpha-2, read by the phone finder for local-format numbers): the one
  given with the post: for crawled posts the first ``region`` of the source's register entry,
  for offline and training rows their ``region`` field; otherwise none. It is never guessed
  from the text (the phone finder itself still tries the countries the text names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.extractors import Found
from pipeline.extractors.find import find_entities
from pipeline.extractors.literals import folded
from pipeline.extractors.phones import reads_language
from pipeline.indicators import post_hits
from pipeline.records import Entity, IndicatorHit
from pipeline.textnorm import NormText, normalize_text

#: Where a post's language came from (``Record.lang_source``).
LANG_SOURCES = ("spider", "label", "detected")
_PRIMARY = re.compile(r"[A-Za-z]{2,3}")
_REGION = re.compile(r"[A-Za-z]{2}")


def given_lang(given: object) -> str | None:
    """A given language tag reduced to its primary subtag (``vi-VN`` → ``vi``, ``th/en`` →
    ``th``); None when nothing usable is given (``und`` included)."""
    if isinstance(given, str) and (m := _PRIMARY.match(given.strip())) and given.strip().lower() != "und":
        return m.group(0).lower()
    return None


def resolve_lang(given: str | None, source: str, text: str, normalized: str | None = None) -> tuple[str, str]:
    """``(language, lang_source)`` of a post (see module doc): ``given`` reduced to its
    primary subtag with ``source``, else detected from ``text`` (``normalized``: its
    normalized form, when the caller has it)."""
    if source not in LANG_SOURCES[:2]:
        raise ValueError(f"a given language's source is one of {LANG_SOURCES[:2]}, not {source!r}")
    if (code := given_lang(given)) is not None:
        return code, source
    from pipeline.langid import detect

    return detect(text, normalized) or "und", "detected"


def clean_region(region: object) -> str | None:
    """An ISO 3166-1 alpha-2 code in upper case, or None for anything else."""
    if isinstance(region, str) and _REGION.fullmatch(region.strip()):
        return region.strip().upper()
    return None


@dataclass(frozen=True)
class FieldSignals:
    """One field of a post: its name (``title`` or ``text``), the text as captured, its
    normalized form and the identifiers found in it (offsets into ``text``, extra details
    kept)."""

    name: str
    text: str
    norm: NormText
    found: tuple[Found, ...]


@dataclass(frozen=True)
class PostSignals:
    """What :func:`post_signals` finds in one post. ``lang``/``lang_source`` are None only
    when the caller did not need the language and it could change nothing found."""

    lang: str | None
    lang_source: str | None
    region: str | None
    fields: tuple[FieldSignals, ...]
    indicators: list[IndicatorHit] = field(default_factory=list)

    @property
    def analysis_text(self) -> str:
        """The normalized title, a newline, the normalized text (the title only when there is
        one): what the classifier reads, stored as ``Record.norm_text``."""
        return "\n".join(f.norm.text for f in self.fields)

    @property
    def entities(self) -> list[Entity]:
        return [Entity(type=f.type, value=f.value, start=f.start, end=f.end, field=fs.name)
                for fs in self.fields for f in fs.found]

def post_signals(title: str | None, text: str, *, lang: str | None = None, lang_source: str = "label",
                 region: str | None = None, types: Iterable[str] | None = None,
                 need_lang: bool = True) -> PostSignals:
    """Normalize, extract identifiers and find indicators in one post (see module doc).

    ``lang``/``lang_source``: the language given with the post and who gave it (``spider``
    or ``label``); ``region``: the region given with it. ``types``: only these identifier
    types are needed (the model's; components after the last one finding one of them are not
    run); default every type. ``need_lang=False``: the caller does not use the language, so
    it is detected only where it can change what is found (the post holds a digit); the
    signals are the same either way.
    """
    fields_in = [(name, value or "") for name, value in (("title", title), ("text", text))
                 if name == "text" or value]
    norms = [normalize_text(value) for _, value in fields_in]
    lang_code: str | None
    source: str | None
    if need_lang or given_lang(lang) is not None or any(reads_language(n.text) for n in norms):
        lang_code, source = resolve_lang(lang, lang_source, text, norms[-1].text)
    else:  # the language could change nothing found: not detected
        lang_code, source = None, None
    region = clean_region(region)
    hint = None if lang_code in (None, "und") else lang_code
    wanted = None if types is None else tuple(types)
    fields, lows = [], []
    for (name, value), norm in zip(fields_in, norms, strict=True):
        low = folded(norm.text)  # lower-cased once for the extractors' and indicators' literal checks
        found = find_entities(value, hint, region, wanted, norm=norm, low=low)
        fields.append(FieldSignals(name, value, norm, tuple(found)))
        lows.append(low)
    hits = post_hits((f.name, f.text, f.norm, low) for f, low in zip(fields, lows, strict=True))
    return PostSignals(lang_code, source, region, tuple(fields), hits)
