"""``lurewatch score``: score posts from a JSON-lines file, offline.

Input lines: ``id`` and ``text`` (optional ``title``, ``url``, ``lang``). Output: one line
per input, same order, with ``id``, ``score`` (0..1, higher = more likely deceptive
recruitment or scam), ``flagged`` (at the shipped threshold), ``indicators`` (``{id, start,
end, field}``; offsets into ``text``, or into ``title`` when ``field`` is ``title``) and
``model_version``. Needs neither Airflow nor Elasticsearch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from models.persist import load_model
from pipeline.features import model_text
from pipeline.jsonl import write_jsonl
from pipeline.settings import Settings
from pipeline.stages.indicators import indicator_hits
from pipeline.stages.score import score_texts

BATCH = 512


class InputError(ValueError):
    """An input line is not a post; the message names the line."""


def read_posts(fh: IO[str], name: str) -> list[dict[str, Any]]:
    posts = []
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{n}: not JSON ({exc.msg}); nothing was written") from exc
        if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
            raise InputError(f"{name}:{n}: needs an object with 'id' and a string 'text'; "
                             "nothing was written")
        if row.get("title") is not None and not isinstance(row["title"], str):
            raise InputError(f"{name}:{n}: 'title' must be a string; nothing was written")
        posts.append(row)
    return posts


def score_posts(posts: list[dict[str, Any]], settings: Settings) -> Iterator[dict[str, Any]]:
    model = load_model(settings.model_path)
    threshold = settings.threshold if settings.threshold is not None else model.threshold
    for i in range(0, len(posts), BATCH):
        batch = posts[i:i + BATCH]
        probs = score_texts(model, [model_text(p.get("title"), p["text"]) for p in batch])
        for post, prob in zip(batch, probs, strict=True):
            hits = indicator_hits(post["text"], "text")
            if post.get("title"):
                hits = indicator_hits(post["title"], "title") + hits
            yield {"id": post["id"], "score": prob, "flagged": prob >= threshold,
                   "indicators": [{"id": h.id, "start": h.start, "end": h.end, "field": h.field}
                                  for h in hits],
                   "model_version": model.version}


def read_posts_from(src: Path | str) -> list[dict[str, Any]]:
    """All posts of ``src`` (a path, or ``-`` for stdin); raises InputError naming the line."""
    import sys

    if str(src) == "-":
        return read_posts(sys.stdin, "<stdin>")
    path = Path(src)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8") as fh:
        return read_posts(fh, str(path))


def score_file(src: Path | str, out: Path, settings: Settings) -> int:
    """Score ``src`` (a path or ``-`` for stdin) into ``out`` atomically; returns the count."""
    return write_jsonl(out, score_posts(read_posts_from(src), settings))
