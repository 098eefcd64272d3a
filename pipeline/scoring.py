"""``lurewatch score``: score posts from a JSON-lines file, offline.

Input lines: ``id`` and ``text`` (optional ``title``, ``url``, ``lang``). Output: one line
per input, same order, with ``id``, ``score`` (0..1, higher = more likely deceptive
recruitment or scam), ``flagged`` (at the shipped threshold), ``indicators`` (``{id, start,
end, field}``; offsets into ``text``, or into ``title`` when ``field`` is ``title``) and
``model_version`` and ``explanation``: ``summary`` (one sentence) and ``top``, the largest
contributions to the score, each ``{kind, feature, contribution, text, evidence?}`` with
``kind`` one of indicator, identifier, phrase, style, length (see :mod:`models.explain`).
Needs neither Airflow nor Elasticsearch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from models.explain import explain_rows, summary
from models.persist import load_model
from pipeline.features import ModelText, find_signals, model_text
from pipeline.jsonl import write_jsonl
from pipeline.records import IndicatorHit
from pipeline.settings import Settings
from pipeline.stages.score import score_inputs

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


def _signals(post: dict[str, Any], every_identifier: bool = False) -> tuple[ModelText, list[IndicatorHit]]:
    """The model input of a post and its indicator hits, found once (as the pipeline's
    extract and indicators stages find them; see :func:`~pipeline.features.find_signals`)."""
    from pipeline.stages.extract import detect_lang

    title, text = post.get("title") or None, post["text"]
    lang = post.get("lang") if isinstance(post.get("lang"), str) and post.get("lang") else detect_lang(text)
    signals, hits = find_signals(title, text, None if lang == "und" else lang, every_identifier=every_identifier)
    return ModelText(model_text(title, text), signals), hits


def score_posts(posts: list[dict[str, Any]], settings: Settings, *, top: int = 5,
                every_identifier: bool = False) -> Iterator[dict[str, Any]]:
    """Score ``posts`` (see module doc). ``every_identifier``: also find the identifiers the
    model does not read (money, ages, places), as the daily pipeline's extract stage does;
    the output is the same (for benchmarks)."""
    model = load_model(settings.model_path)
    threshold = settings.threshold if settings.threshold is not None else model.threshold
    for i in range(0, len(posts), BATCH):
        batch = posts[i:i + BATCH]
        found = [_signals(p, every_identifier) for p in batch]
        probs, features = score_inputs(model, [f[0] for f in found])
        evidence = []
        for _, hits in found:
            ev: dict[str, list[str]] = {}
            for h in hits:
                if h.weight and h.evidence not in ev.setdefault(h.id, []):
                    ev[h.id].append(" ".join(h.evidence.split()))
            evidence.append(ev)
        explained = explain_rows(model.pipeline, features, evidence, top=top)
        for post, (_, hits), prob, items in zip(batch, found, probs, explained, strict=True):
            flagged = prob >= threshold
            yield {"id": post["id"], "score": prob, "flagged": flagged,
                   "indicators": [{"id": h.id, "start": h.start, "end": h.end, "field": h.field}
                                  for h in hits],
                   "explanation": {"summary": summary(prob, flagged, items),
                                   "top": [c.to_dict() for c in items]},
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
