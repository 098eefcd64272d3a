"""The dead-letter file: records a store could not write after retries, one JSON line each.

Line: ``{"id", "reason", "status", "at", "attempts", "index", "record": {...}}``. Appends and
rewrites hold an exclusive lock (``<file>.lock``), so a failing run and a replay never
interleave. :meth:`DeadLetter.take` hands the entries to a replay and rewrites the file with
only those that failed again (removed when none did).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class DeadLetter:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, entries: list[dict[str, Any]]) -> None:
        """Append ``entries`` durably (fsync)."""
        if not entries:
            return
        with self._locked(), open(self.path, "a", encoding="utf-8") as f:
            for e in entries:
                f.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def __len__(self) -> int:
        return len(self.read())

    @contextmanager
    def take(self) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        """Yield (entries, still_failing); on exit the file holds only ``still_failing``
        (the caller appends to it). On an exception the file is left as it was."""
        with self._locked():
            entries = self.read()
            still: list[dict[str, Any]] = []
            yield entries, still
            if still:
                tmp = self.path.with_name(self.path.name + ".tmp")
                with open(tmp, "w", encoding="utf-8") as f:
                    for e in still:
                        f.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
                    f.flush()
                    os.fsync(f.fileno())
                tmp.replace(self.path)
            elif self.path.exists():
                self.path.unlink()
