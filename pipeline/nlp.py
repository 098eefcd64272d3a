"""Blank spaCy pipelines per language (tokenizer only; nothing is downloaded).

:func:`get_nlp` returns one cached :class:`~spacy.language.Language` per language code:

* ``vi``: spaCy's Vietnamese tokenizer with pyvi (multi-syllable words: "nhân viên");
* ``th``: spaCy's Thai tokenizer, PyThaiNLP ``word_tokenize`` (default engine ``newmm``,
  dictionary shipped inside the package);
* ``zh``: spaCy's Chinese tokenizer with the ``jieba`` segmenter (set in the config);
* ``en id ms tl si`` and any other code spaCy has: ``spacy.blank(code)``;
* ``km my lo``, ``und``, ``None`` and codes spaCy lacks: ``spacy.blank("xx")`` (multilingual,
  whitespace and punctuation rules).

PyThaiNLP would create ``~/pythainlp-data`` when first imported; unless ``PYTHAINLP_DATA`` is
already set, :func:`get_nlp` points it at a directory under the system temporary directory
and sets ``PYTHAINLP_OFFLINE=1`` before the Thai pipeline is built.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import get_lang_class

#: Languages that always use the multilingual pipeline (spaCy has no class for them).
FALLBACK = "xx"
_CONFIG: dict[str, dict[str, object]] = {
    "zh": {"nlp": {"tokenizer": {"segmenter": "jieba"}}},
    "vi": {"nlp": {"tokenizer": {"use_pyvi": True}}},
}


@lru_cache(maxsize=256)
def _has_language(code: str) -> bool:
    try:
        get_lang_class(code)
    except ImportError:
        return False
    return True


def _offline_pythainlp() -> None:
    if "PYTHAINLP_DATA" not in os.environ and "PYTHAINLP_DATA_DIR" not in os.environ:
        path = Path(tempfile.gettempdir()) / "lurewatch-pythainlp-data"
        path.mkdir(mode=0o700, exist_ok=True)
        os.environ["PYTHAINLP_DATA"] = str(path)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")


def pipeline_lang(lang: str | None) -> str:
    """The spaCy language code :func:`get_nlp` uses for ``lang`` (``"xx"`` when spaCy has none)."""
    code = (lang or "").strip().lower()
    if not code or code == "und" or not code.isalpha() or not _has_language(code):
        return FALLBACK
    return code


def blank(lang: str | None) -> Language:
    """A new blank pipeline (language tokenizer, no components) for ``lang``, for callers
    that add their own components; :func:`get_nlp` is the shared cached one."""
    code = pipeline_lang(lang)
    if code == "th":
        _offline_pythainlp()
    return spacy.blank(code, config=_CONFIG.get(code, {}))


@lru_cache(maxsize=32)
def _build(code: str) -> Language:
    return blank(code)


def get_nlp(lang: str | None) -> Language:
    """A blank pipeline for ``lang`` (ISO 639-1), built once per process. Unknown or
    unsupported languages get the multilingual ``xx`` pipeline; never raises for a code."""
    return _build(pipeline_lang(lang))
