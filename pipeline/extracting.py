"""``lurewatch extract``: identifiers and indicators of posts, offline.

Input: :mod:`pipeline.posts`. Output: one line per input, same order::

    {"id", "lang", "lang_source",
     "entities": [{"type", "value", "start", "end", "field", ...details}],
     "indicators": [{"id", "start", "end", "weight", "field"}]}

with offsets into ``text``, or into ``title`` when ``field`` is ``title``: what the daily
pipeline's signals stage finds (:func:`pipeline.signals.post_signals`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.jsonl import write_jsonl
from pipeline.posts import read_posts_from, signals_of


def extract_row(post: dict[str, Any]) -> dict[str, Any]:
    """One output line of ``lurewatch extract`` for one input post."""
    sig = signals_of(post)
    entities = [{"type": f.type, "value": f.value, "start": f.start, "end": f.end, "field": fs.name, **f.extra}
                for fs in sig.fields for f in fs.found]
    indicators = [{"id": h.id, "start": h.start, "end": h.end, "weight": h.weight, "field": h.field}
                  for h in sig.indicators]
    return {"id": post["id"], "lang": sig.lang, "lang_source": sig.lang_source,
            "entities": entities, "indicators": indicators}


def extract_file(src: Path | str, out: Path) -> int:
    """Read posts from ``src`` (a path or ``-``), write one line per post, same order,
    atomically to ``out``; returns the count. Raises :class:`pipeline.posts.InputError`
    naming the first bad line (nothing is written)."""
    return write_jsonl(out, (extract_row(p) for p in read_posts_from(src)))
