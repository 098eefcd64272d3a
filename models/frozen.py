"""The frozen evaluation split of the shared data (issue 13, item 8).

A fixed :data:`FROZEN_PERCENT` % of the near-duplicate groups of every real source is the
**frozen evaluation part**; the rest is the **development part**. A row's part is decided by
a salted SHA-256 of its split key (:func:`models.dataset.split_key`: the raw row's ``group``,
else the near-duplicate key of its raw text), so a group is wholly on one side, a
change to the text normalizer cannot move rows across, and the salt makes the split
independent of the promotion gate's hold-out (:func:`models.evaluate.in_holdout`).
Team-written rows (files named ``seed*``) are development data and never frozen.

:data:`MANIFEST` pins the split without copying data: per file its SHA-256 and row count, per
source the rows and groups of each part and a SHA-256 over the sorted hashed split keys of
its frozen part. :func:`check` recomputes the split and names every difference; a run that
uses the split refuses to go on when there is one. The rule that goes with it: no rule or
seed row is edited to pass the frozen part, and every change to rules or seed rows says in
its commit which evaluation figures it was written after seeing (docs/evaluation.md).

Rewrite the manifest only when the shared data changes, in a commit that says so:
``python -m models.frozen write ../shared/data/*.jsonl``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.dataset import DatasetError, Example, file_fingerprint, split_key
from pipeline.jsonl import json_lines

FROZEN_SALT = "lurewatch-frozen-eval-v1"
FROZEN_PERCENT = 30
#: Files whose name starts with one of these are development data (never a held-out source).
DEVELOPMENT_PREFIXES = ("seed",)
MANIFEST = Path(__file__).parent / "data" / "frozen-split.json"
PARTS = ("dev", "frozen", "all")


class FrozenSplitError(DatasetError):
    """The data no longer splits as the manifest pins it; the message names what moved."""


def is_development(origin: str) -> bool:
    """Is a data file (by its stem) development data rather than a real source?"""
    return origin.startswith(DEVELOPMENT_PREFIXES)


def hashed_key(key: str) -> str:
    return hashlib.sha256(f"{FROZEN_SALT}\0{key}".encode()).hexdigest()


def in_frozen(key: str) -> bool:
    return int(hashed_key(key)[:8], 16) % 100 < FROZEN_PERCENT


def frozen_mask(examples: Sequence[Example]) -> np.ndarray:
    """True for rows of the frozen part (never a development row)."""
    return np.array([not is_development(e.origin) and in_frozen(e.split_key) for e in examples], dtype=bool)


def part_mask(examples: Sequence[Example], part: str) -> np.ndarray:
    """Rows of real sources in ``part`` (dev, frozen or all); development rows are False."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    real = np.array([not is_development(e.origin) for e in examples], dtype=bool)
    if part == "all":
        return real
    frozen = frozen_mask(examples)
    return frozen if part == "frozen" else real & ~frozen


def read_keys(path: Path) -> list[tuple[str, str]]:
    """(source, split key) of every row of a data file, from the raw rows (fast: no
    normalization). Raises DatasetError naming file and line."""
    if not path.is_file():
        raise DatasetError(f"{path}: no such data file")
    out = []
    with path.open(encoding="utf-8") as fh:
        for _, row in json_lines(fh, str(path), DatasetError):
            out.append((str(row.get("source") or path.stem), split_key(row, path.stem)))
    return out


def summarize(keys: Iterable[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Per source: rows and groups of each part, and the SHA-256 of the frozen part's sorted
    hashed keys."""
    parts: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"dev": [], "frozen": []})
    for source, key in keys:
        parts[source]["frozen" if in_frozen(key) else "dev"].append(key)
    out = {}
    for source, p in sorted(parts.items()):
        frozen_keys = sorted({hashed_key(k) for k in p["frozen"]})
        out[source] = {"dev": {"rows": len(p["dev"]), "groups": len(set(p["dev"]))},
                       "frozen": {"rows": len(p["frozen"]), "groups": len(frozen_keys),
                                  "keys_sha256": hashlib.sha256("\n".join(frozen_keys).encode()).hexdigest()}}
    return out


def build_manifest(paths: Sequence[Path]) -> dict[str, Any]:
    """The manifest of the given real data files (development files are refused)."""
    files = {}
    for path in sorted(paths, key=lambda p: p.name):
        if is_development(path.stem):
            raise DatasetError(f"{path}: development data (team-written) is never part of the frozen split")
        keys = read_keys(path)
        files[path.name] = {"sha256": file_fingerprint(path), "rows": len(keys), "sources": summarize(keys)}
    return {"rule": {"salt": FROZEN_SALT, "percent": FROZEN_PERCENT,
                     "key": "models.dataset.split_key (raw group, else near-duplicate key of the raw text)"},
            "files": files}


def read_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    if not path.is_file():
        raise FrozenSplitError(f"{path}: no frozen-split manifest (write one: python -m models.frozen write FILE...)")
    return json.loads(path.read_text("utf-8"))


def check(paths: Sequence[Path], manifest: dict[str, Any]) -> list[str]:
    """Every way the given files fail to split as ``manifest`` pins them (empty: all hold).
    A file the manifest does not name is a difference."""
    problems = []
    rule = manifest.get("rule", {})
    if (rule.get("salt"), rule.get("percent")) != (FROZEN_SALT, FROZEN_PERCENT):
        problems.append(f"the split rule changed: manifest salt {rule.get('salt')!r}, {rule.get('percent')} %; "
                        f"code {FROZEN_SALT!r}, {FROZEN_PERCENT} %")
    for path in paths:
        pinned = manifest.get("files", {}).get(path.name)
        if not path.is_file():
            problems.append(f"{path}: no such data file")
            continue
        if pinned is None:
            problems.append(f"{path.name}: not in the frozen-split manifest")
            continue
        sha = file_fingerprint(path)
        if sha != pinned["sha256"]:
            problems.append(f"{path.name}: the data changed (sha256 {sha[:12]}…, pinned {pinned['sha256'][:12]}…)")
        now = summarize(read_keys(path))
        for source in sorted(set(now) | set(pinned["sources"])):
            a, b = pinned["sources"].get(source), now.get(source)
            if a is None or b is None:
                problems.append(f"{path.name}: source {source} is {'new' if a is None else 'gone'}")
            elif a != b:
                moved = [f"{part} {k} {a[part][k]} → {b[part][k]}" for part in ("dev", "frozen")
                         for k in a[part] if a[part][k] != b[part][k] and k != "keys_sha256"]
                if a["frozen"]["keys_sha256"] != b["frozen"]["keys_sha256"]:
                    moved.append("frozen groups differ")
                problems.append(f"{path.name}: source {source}: {', '.join(moved)}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.frozen", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("write", "check"))
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    args = ap.parse_args(argv)
    if args.action == "write":
        args.manifest.write_text(json.dumps(build_manifest(args.files), indent=2) + "\n", "utf-8")
        print(f"wrote {args.manifest}")
        return 0
    problems = check(args.files, read_manifest(args.manifest))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
