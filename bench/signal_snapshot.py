"""Snapshot of every signal-stage output, to check that a speed-up changes no result.

    .venv/bin/python bench/signal_snapshot.py save /tmp/signals-before.json [--data ../shared/data]
    .venv/bin/python bench/signal_snapshot.py compare /tmp/signals-before.json [--data ../shared/data]

Texts: models/data/seed.jsonl (title and text), bench/data/extraction_gold.jsonl, up to
``--sample`` texts drawn (fixed seed) from each ``*.jsonl`` under ``--data`` when given, and
synthetic strings full of evasions (fixed seed). Per text it records
``normalize_text(text)`` (text, evasions, a digest of the offset map and of ``to_original``
over a grid of spans), ``indicator_hits`` (text and title fields), ``find_identifiers`` on the
raw and the normalized text, and ``extract_row`` (the line ``lurewatch extract`` writes).
Keep snapshots outside the repository: research data must not be copied into it.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = ROOT / "models" / "data" / "seed.jsonl"
GOLD = ROOT / "bench" / "data" / "extraction_gold.jsonl"
ALPHABET = list(
    "abcdefghilmnoprstuwyTWAL.el gram@0123456789 \n\t\u200b\u200d\ufeff\u00ad１２３ＡＢＣ๑๒๓១២៣𝐓𝐞𝐥ﬁ①Ⅻ㎏ẹ̀ệ"
    "аеорсТМкЯжΑΟοα菠菜-_*|/[]()$wh4tsp5l1Oไลน์ก.【】:+,"
)
WORDS = ["telegram", "WhatsApp", "Cambodia", "salary", "$1,500/month", "+855 12 345 678", "0912 345 678",
         "[at]", "(dot)", "gmail.com", "t.me/abc_hr", "@kh_recruit", "visa", "passport", "age 18-30",
         "Sihanoukville", "Myawaddy", "lương 25 triệu/tháng", "ไลน์", "微信", "casino", "no experience",
         "T.e.l.e.g.r.a.m", "W h a t s A p p", "te1egram", "Теlеgrаm", "wa.me/85512345678", "USDT", "1.5OO"]


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


def synthetic(n: int, seed: int = 7) -> list[str]:
    """Random strings mixing tricky characters and signal words (fixed seed)."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 12)):
            if rnd.random() < 0.4:
                parts.append(rnd.choice(WORDS))
            else:
                parts.append("".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 12))))
        out.append(rnd.choice(["", " ", "\n", " - "]).join(parts))
    return out


def corpus(data: Path | None, sample: int) -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = []
    for r in _read(SEED):
        posts.append({"id": r["id"], "text": r["text"], "title": r.get("title"), "lang": r.get("lang")})
    for r in _read(GOLD):
        posts.append({"id": "gold-" + r["id"], "text": r["text"], "lang": r.get("lang")})
    if data is not None:
        for path in sorted(data.glob("*.jsonl")):
            rows = [r for r in _read(path) if r.get("text")]
            for r in random.Random(0).sample(rows, min(sample, len(rows))):
                posts.append({"id": f"{path.stem}-{r['id']}", "text": r["text"], "title": r.get("title"),
                              "lang": r.get("lang")})
    for i, text in enumerate(synthetic(1500)):
        posts.append({"id": f"synthetic-{i}", "text": text, "lang": None})
    return posts


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False).encode()).hexdigest()[:16]


def _hits(hits: list[Any]) -> list[Any]:
    return [dataclasses.asdict(h) if dataclasses.is_dataclass(h) else h for h in hits]


def snapshot_post(post: dict[str, Any]) -> dict[str, Any]:
    from pipeline.extracting import extract_row
    from pipeline.extractors.find import find_identifiers
    from pipeline.indicators import indicator_hits
    from pipeline.textnorm import normalize_text

    text = post["text"]
    norm = normalize_text(text)
    n = len(norm.text)
    grid = [norm.to_original(a, b) for a in range(0, n + 1, 3) for b in (a, a + 1, a + 4, n) if b <= n]
    out: dict[str, Any] = {
        "norm": norm.text,
        "evasions": sorted(norm.evasions),
        "offsets": _digest([list(norm.starts), list(norm.ends), norm.original_length]),
        "to_original": _digest(grid),
        "indicators": _hits(indicator_hits(text)),
        "identifiers_raw": find_identifiers(text),
        "identifiers_norm": find_identifiers(norm.text, post.get("lang")),
        "extract_row": extract_row({k: v for k, v in post.items() if k != "title"}),
    }
    if post.get("title"):
        out["title_norm"] = normalize_text(post["title"]).text
        out["title_indicators"] = _hits(indicator_hits(post["title"], "title"))
    return json.loads(json.dumps(out, ensure_ascii=False))  # tuples → lists, as on disk


def take(data: Path | None, sample: int) -> dict[str, Any]:
    from pipeline.textnorm import normalize_text

    snap = {}
    for post in corpus(data, sample):
        clear = getattr(normalize_text, "cache_clear", None)
        if clear:
            clear()
        snap[post["id"]] = snapshot_post(post)
    return snap


def compare(old: dict[str, Any], new: dict[str, Any], limit: int = 20) -> int:
    diffs = 0
    for pid in sorted(set(old) | set(new)):
        a, b = old.get(pid), new.get(pid)
        if a == b:
            continue
        diffs += 1
        if diffs <= limit:
            keys = sorted(k for k in set(a or {}) | set(b or {}) if (a or {}).get(k) != (b or {}).get(k))
            print(f"DIFF {pid}: {keys}")
            for k in keys[:3]:
                print(f"  before: {json.dumps((a or {}).get(k), ensure_ascii=False)[:400]}")
                print(f"  after:  {json.dumps((b or {}).get(k), ensure_ascii=False)[:400]}")
    print(f"{len(new)} texts, {diffs} differ")
    return 1 if diffs else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("action", choices=["save", "compare"])
    ap.add_argument("snapshot", type=Path, help="snapshot file (keep it outside the repository)")
    ap.add_argument("--data", type=Path, help="directory of extra *.jsonl posts (e.g. ../shared/data)")
    ap.add_argument("--sample", type=int, default=400, help="texts drawn from each file under --data")
    args = ap.parse_args(argv)
    if args.snapshot.resolve().is_relative_to(ROOT):
        ap.error("write snapshots outside the repository (they may hold research data)")
    snap = take(args.data, args.sample)
    if args.action == "save":
        args.snapshot.write_text(json.dumps(snap, ensure_ascii=False), "utf-8")
        print(f"{len(snap)} texts saved to {args.snapshot}")
        return 0
    return compare(json.loads(args.snapshot.read_text("utf-8")), snap)


if __name__ == "__main__":
    raise SystemExit(main())
