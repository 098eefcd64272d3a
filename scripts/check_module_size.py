"""No Python module of the project over MAX_LINES lines (STYLE.md: one unit of work, one
small module). Exit 1 naming each offender. Run by ``make lint`` and by tests/test_layout.py."""

from __future__ import annotations

import sys
from pathlib import Path

MAX_LINES = 400
ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("pipeline", "models", "spiders", "dags", "tests", "bench", "scripts")


def oversized(root: Path = ROOT) -> list[tuple[Path, int]]:
    out = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            n = len(path.read_text("utf-8").splitlines())
            if n > MAX_LINES:
                out.append((path.relative_to(root), n))
    return out


def main() -> int:
    bad = oversized()
    for path, n in bad:
        print(f"{path}: {n} lines (at most {MAX_LINES}: split it by what its parts do)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
