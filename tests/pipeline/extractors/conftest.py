from __future__ import annotations

from collections.abc import Callable

import pytest
import spacy
from spacy.language import Language

import pipeline.extractors  # noqa: F401  (registers the factories)


@pytest.fixture
def blank() -> Callable[..., Language]:
    """A spacy.blank("xx") pipeline with the given components (no downloads)."""
    def make(*names: str) -> Language:
        nlp = spacy.blank("xx")
        for name in names:
            nlp.add_pipe(name)
        return nlp
    return make
