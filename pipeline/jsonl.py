"""JSON lines: read with errors that name the line, written atomically (a reader never sees
a half-written file)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


def json_lines(fh: IO[str], name: str, error: type[Exception], suffix: str = "") -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` of every non-blank line of ``fh``; a line that is not JSON
    raises ``error("<name>:<line>: not JSON (<why>)<suffix>")``."""
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{name}:{n}: not JSON ({exc.msg}){suffix}") from exc
        yield n, value


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` to ``path`` as JSON lines via a temp file, fsync and rename; returns
    the row count. If iterating ``rows`` raises, ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return n
