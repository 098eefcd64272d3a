"""Running the extractor components over a post's text.

:func:`identifier_pipeline` is one blank multilingual (``xx``) spaCy pipeline holding every
component of :data:`~pipeline.extractors.COMPONENTS`, built once: what a spaCy user adds to
their own pipeline. :func:`find_entities` runs the same components' finders in the same order
directly on a normalized string (they read only the text and the earlier finds), without
tokenizing it or building spans, and maps every find back to the text as captured. The
components read the language and region as :class:`~pipeline.extractors.base.Hints`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extractors import COMPONENTS, Found, Hints, components_for
from pipeline.extractors.literals import folded
from pipeline.textnorm import NormText, normalize_text

#: extract.v3: language and region as decided by pipeline.signals (region from the register)
VERSION = "extract.v3"


@Language.factory("lurewatch_identifiers_v1")
def make_identifier_finder(nlp: Language, name: str) -> IdentifierFinder:
    return IdentifierFinder([nlp.create_pipe(c) for c in COMPONENTS])


class IdentifierFinder:
    """Every extractor component in order, as one component (``doc.spans["identifiers"]``,
    ``doc.user_data["identifiers"]`` and ``["identifier_chars"]``), for spaCy users who want
    the whole set under one name."""

    def __init__(self, components: list[Any]) -> None:
        self.components = components

    def __call__(self, doc: Doc) -> Doc:
        for component in self.components:
            doc = component(doc)
        return doc


@lru_cache(maxsize=1)
def identifier_pipeline() -> Language:
    """A blank ``xx`` pipeline with every extractor component, built once."""
    nlp = spacy.blank("xx")
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp


def _run(text: str, hints: Hints, upto: int | None = None) -> list[Found]:
    """The components' finders, in order, on ``text`` itself: the same items the components
    write to a Doc. ``upto``: only the first so many components
    (:func:`~pipeline.extractors.components_for`)."""
    found: list[Found] = []
    for _, component in identifier_pipeline().pipeline[:upto]:
        found.extend(f for f in component.finder(text, hints, tuple(found)) if f.end > f.start)
    return sorted(found, key=lambda f: (f.start, f.end, f.type))


def find_identifiers(text: str, lang: str | None = None, region: str | None = None) -> list[tuple[str, str, int, int]]:
    """All identifiers in ``text`` as ``(type, value, start, end)``, offsets into ``text`` as
    given (not normalized), ordered by position."""
    return [f.as_tuple() for f in _run(text, Hints(lang=lang, region=region, folded=folded(text)))]


def find_entities(text: str, lang: str | None = None, region: str | None = None,
                  types: Iterable[str] | None = None, norm: NormText | None = None,
                  low: str | None = None) -> list[Found]:
    """Identifiers of ``text`` found on its normalized form ``norm`` (computed when not
    given), with offsets into ``text`` exactly as given and their extra details; duplicates
    dropped. ``types``: the caller needs only these (others may be missing: the components
    after the last one that finds one of them are not run). ``low``: ``folded(norm.text)``
    when the caller has it (computed when None)."""
    if norm is None:
        norm = normalize_text(text)
    if low is None:
        low = folded(norm.text)
    out: list[Found] = []
    seen: set[tuple[str, str, int, int]] = set()
    upto = None if types is None else components_for(types)
    for f in _run(norm.text, Hints(lang=lang, region=region, folded=low), upto):
        start, end = norm.to_original(f.start, f.end)
        item = dataclasses.replace(f, start=start, end=end)
        if f.type == "email":  # the normalizer may have undone "[at]"/"[dot]" already
            item.extra["obfuscated"] = text[start:end].lower() != f.value
        if item.as_tuple() not in seen:
            seen.add(item.as_tuple())
            out.append(item)
    return out
