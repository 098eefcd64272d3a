"""Stage 2: extract identifiers investigators pivot on.

One blank ``xx`` spaCy pipeline (built once) runs the registered components of
:mod:`pipeline.extractors` in :data:`~pipeline.extractors.COMPONENTS` order — phones
(E.164), messaging handles (Telegram, WhatsApp, LINE, WeChat, Zalo, Messenger), e-mails
(also obfuscated), URLs (shorteners flagged), checksum-valid crypto wallets, money (USD per
month), ages and gazetteer places — over the *normalized* text; each item is mapped back to
the text as captured. ``lurewatch_identifiers_v1`` is kept as the name of the whole set (it
adds every component to the pipeline it is added to).

:func:`extract_file` is ``lurewatch extract``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extractors import COMPONENTS, Found, Hints, components_for
from pipeline.jsonl import write_jsonl
from pipeline.records import Entity, Record
from pipeline.settings import Settings
from pipeline.textnorm import normalize_text

VERSION = "extract.v2"


@Language.factory("lurewatch_identifiers_v1")
def make_identifier_finder(nlp: Language, name: str) -> IdentifierFinder:
    return IdentifierFinder([nlp.create_pipe(c) for c in COMPONENTS])


class IdentifierFinder:
    """All extractor components in order, as one component (``doc.spans["identifiers"]``,
    ``doc.user_data["identifiers"]`` and ``["identifier_chars"]``)."""

    def __init__(self, components: list[Any]) -> None:
        self.components = components

    def __call__(self, doc: Doc) -> Doc:
        for component in self.components:
            doc = component(doc)
        return doc


def identifier_pipeline(lang: str | None = None) -> Language:
    """The language's blank pipeline (its tokenizer: pyvi, PyThaiNLP, jieba…; ``xx`` for
    languages spaCy lacks) with every extractor component, built once per language."""
    from pipeline.nlp import pipeline_lang

    return _identifier_pipeline(pipeline_lang(lang))


@lru_cache(maxsize=16)
def _identifier_pipeline(code: str) -> Language:
    from pipeline.nlp import blank

    nlp = blank(code)
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp


def _run(text: str, lang: str | None, region: str | None, upto: int | None = None) -> list[Found]:
    """The finders of the language's pipeline, in order, on ``text`` itself: the same items
    its components write to a Doc (they read only ``doc.text`` and the earlier items), without
    tokenizing the text or building spans. ``upto``: only the first so many components
    (:func:`~pipeline.extractors.components_for`)."""
    nlp = identifier_pipeline(lang)
    hints = Hints(lang=lang or nlp.lang or None, region=region)
    found: list[Found] = []
    for _, component in nlp.pipeline[:upto]:
        found.extend(f for f in component.finder(text, hints, tuple(found)) if f.end > f.start)
    return sorted(found, key=lambda f: (f.start, f.end, f.type))


def find_identifiers(text: str, lang: str | None = None, region: str | None = None) -> list[tuple[str, str, int, int]]:
    """All identifiers in ``text`` as ``(type, value, start, end)``, offsets into ``text`` as
    given, ordered by position. See :mod:`pipeline.extractors` for types and values."""
    return [f.as_tuple() for f in _run(text, lang, region)]


def find_entities(text: str, lang: str | None = None, region: str | None = None,
                  types: Iterable[str] | None = None) -> list[Found]:
    """Identifiers of ``text`` found on its normalized form, with offsets into ``text``
    exactly as given and their extra details; duplicates dropped. ``types``: the caller needs
    only these (others may be missing: the components after the last one that finds one of
    them are not run)."""
    norm = normalize_text(text)
    out: list[Found] = []
    seen: set[tuple[str, str, int, int]] = set()
    for f in _run(norm.text, lang, region, None if types is None else components_for(types)):
        start, end = norm.to_original(f.start, f.end)
        item = dataclasses.replace(f, start=start, end=end)
        if f.type == "email":  # the normalizer may have undone "[at]"/"[dot]" already
            item.extra["obfuscated"] = text[start:end].lower() != f.value
        if item.as_tuple() not in seen:
            seen.add(item.as_tuple())
            out.append(item)
    return out


def entities_for(text: str, lang: str | None, field: str = "text", region: str | None = None,
                 types: Iterable[str] | None = None) -> list[Entity]:
    """Identifiers of ``text`` with offsets into ``text`` exactly as given (``types``: as
    in :func:`find_entities`)."""
    return [Entity(type=f.type, value=f.value, start=f.start, end=f.end, field=field)
            for f in find_entities(text, lang, region, types)]


def extract(records: Iterable[Record], *, settings: Settings | None = None) -> Iterator[Record]:
    for record in records:
        region = record.extra.get("region") if isinstance(record.extra.get("region"), str) else None
        ents = entities_for(record.title, record.lang, "title", region) if record.title else []
        ents += entities_for(record.text, record.lang, "text", region)
        record.entities = ents
        record.stages["extract"] = VERSION
        yield record


# ---------------------------------------------------------------- lurewatch extract


def detect_lang(text: str) -> str:
    """Language of ``text`` (:func:`pipeline.langid.detect`), "und" when unknown."""
    from pipeline.langid import detect

    return detect(text) or "und"


def extract_row(post: dict[str, Any]) -> dict[str, Any]:
    """One output line of ``lurewatch extract`` for one input post."""
    from pipeline.stages.indicators import indicator_hits

    text: str = post["text"]
    lang = post.get("lang") if isinstance(post.get("lang"), str) and post.get("lang") else detect_lang(text)
    hint = None if lang == "und" else lang
    region = post.get("region") if isinstance(post.get("region"), str) else None
    entities = [{"type": f.type, "value": f.value, "start": f.start, "end": f.end, **f.extra}
                for f in find_entities(text, hint, region)]
    indicators = [{"id": h.id, "start": h.start, "end": h.end, "weight": h.weight} for h in indicator_hits(text)]
    return {"id": post["id"], "lang": lang, "entities": entities, "indicators": indicators}


def extract_file(src: Path | str, out: Path) -> int:
    """``lurewatch extract``: read posts (``id``, ``text``, optional ``lang``, ``region``)
    from ``src`` (a path or ``-``), write one line per post, same order, atomically to
    ``out``; returns the count. Raises :class:`pipeline.scoring.InputError` naming the first
    bad line (nothing is written)."""
    from pipeline.scoring import read_posts_from

    return write_jsonl(out, (extract_row(p) for p in read_posts_from(src)))
