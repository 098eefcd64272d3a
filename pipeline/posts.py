"""Posts given offline: the input of ``lurewatch score``, ``extract`` (and later ``link``
and ``ingest``), one JSON object per line.

A line needs ``id`` and a string ``text``; ``title``, ``url``, ``lang`` (the post's language;
detected when missing) and ``region`` (ISO 3166-1 alpha-2, for local phone numbers) are
optional. :func:`signals_of` computes a post's signals with the one composition the whole
project uses (:func:`pipeline.signals.post_signals`), a given ``lang`` counting as a label.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from pipeline.jsonl import json_lines
from pipeline.signals import PostSignals, post_signals


class InputError(ValueError):
    """An input line is not a post; the message names the line."""


def read_posts(fh: IO[str], name: str) -> list[dict[str, Any]]:
    """Every post of ``fh`` (named ``name`` in messages); raises InputError naming the line."""
    posts = []
    for n, row in json_lines(fh, name, InputError, "; nothing was written"):
        if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
            raise InputError(f"{name}:{n}: needs an object with 'id' and a string 'text'; "
                             "nothing was written")
        if row.get("title") is not None and not isinstance(row["title"], str):
            raise InputError(f"{name}:{n}: 'title' must be a string; nothing was written")
        posts.append(row)
    return posts


def read_posts_from(src: Path | str) -> list[dict[str, Any]]:
    """All posts of ``src`` (a path, or ``-`` for stdin); raises InputError naming the line."""
    if str(src) == "-":
        return read_posts(sys.stdin, "<stdin>")
    path = Path(src)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8") as fh:
        return read_posts(fh, str(path))


def signals_of(post: dict[str, Any], types: Iterable[str] | None = None, *, need_lang: bool = True) -> PostSignals:
    """The signals of an offline post (``types``, ``need_lang``: see
    :func:`~pipeline.signals.post_signals`)."""
    lang = post.get("lang") if isinstance(post.get("lang"), str) else None
    return post_signals(post.get("title") or None, post["text"], lang=lang, lang_source="label",
                        region=post.get("region"), types=types, need_lang=need_lang)
