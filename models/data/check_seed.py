"""Validate models/data/seed.jsonl and print its count tables.

Usage:
    python models/data/check_seed.py [path/to/seed.jsonl] [--shared DIR] [--markdown]

Checks: JSON per line, required fields and types, id format and uniqueness, allowed
kind/style/lang values, label consistent with kind, no group straddling labels, no exact
duplicate texts, obfuscated rows really carry an obfuscation trick, and minimum counts per
kind and per language. With --shared DIR it also checks that no 60-character window of any
text appears in the JSONL files under DIR (the research data must not be copied in).
Exits 1 on any failure. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("seed.jsonl")

FIELDS = {
    "id": str,
    "title": (str, type(None)),
    "text": str,
    "label": int,
    "lang": str,
    "kind": str,
    "group": str,
    "style": str,
}
KIND_LABEL = {
    "scam_recruitment": 1,
    "scam_recruitment_obfuscated": 1,
    "legit_ad": 0,
    "legit_cs_overseas": 0,
    "warning_news": 0,
}
STYLES = {"job_board", "telegram", "social", "news"}
LANGS = {"en", "vi", "th", "zh", "id", "tl", "ms", "km", "my", "si", "ta", "lo"}
CORE_LANGS = ("en", "vi", "th", "zh", "id", "tl")
MIN_TOTAL = 320
MIN_KIND = {
    "scam_recruitment": 100,
    "scam_recruitment_obfuscated": 30,
    "legit_ad": 80,
    "legit_cs_overseas": 50,
    "warning_news": 50,
}
MIN_PER_CORE_LANG = 20
ID_RE = re.compile(r"^seed-\d{4}$")

ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
FULLWIDTH = re.compile("[\uff01-\uff5e]")
CYRILLIC = re.compile("[\u0400-\u04ff]")
LATIN = re.compile("[A-Za-z]")
SPACED = re.compile(r"(?:\b\w[ .\-*]){3,}\w\b")
AT_DOT = re.compile(r"[\[【(]\s*(?:at|a|dot|chấm)\s*[\]】)]", re.IGNORECASE)
LEET = re.compile(r"[A-Za-z][0-9@!][A-Za-z]|\d[A-Za-z]\d|[A-Za-z]O{2,}")
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def obfuscation_tricks(text: str) -> list[str]:
    tricks = []
    if ZERO_WIDTH.search(text):
        tricks.append("zero_width")
    if FULLWIDTH.search(text):
        tricks.append("fullwidth")
    if CYRILLIC.search(text) and LATIN.search(text):
        tricks.append("cyrillic_homoglyph")
    if SPACED.search(text):
        tricks.append("spaced_letters")
    if AT_DOT.search(text):
        tricks.append("at_dot")
    if LEET.search(text):
        tricks.append("leet")
    if len(EMOJI.findall(text)) >= 3:
        tricks.append("emoji")
    return tricks


def load(path: Path, errors: list[str]) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"line {n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {n}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {n}: not an object")
                continue
            obj["_line"] = n
            rows.append(obj)
    return rows


def validate(rows: list[dict], errors: list[str]) -> None:
    ids = Counter()
    texts: dict[str, str] = {}
    group_labels: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        where = f"line {r['_line']} ({r.get('id', '?')})"
        extra = set(r) - set(FIELDS) - {"_line"}
        if extra:
            errors.append(f"{where}: unexpected fields {sorted(extra)}")
        ok = True
        for field, typ in FIELDS.items():
            if field not in r:
                errors.append(f"{where}: missing field {field!r}")
                ok = False
            elif isinstance(r[field], bool) or not isinstance(r[field], typ):
                errors.append(f"{where}: field {field!r} has type {type(r[field]).__name__}")
                ok = False
        if not ok:
            continue
        ids[r["id"]] += 1
        if not ID_RE.match(r["id"]):
            errors.append(f"{where}: id must look like seed-0001")
        if r["kind"] not in KIND_LABEL:
            errors.append(f"{where}: unknown kind {r['kind']!r}")
        elif KIND_LABEL[r["kind"]] != r["label"]:
            errors.append(f"{where}: label {r['label']} inconsistent with kind {r['kind']}")
        if r["label"] not in (0, 1):
            errors.append(f"{where}: label must be 0 or 1")
        if r["style"] not in STYLES:
            errors.append(f"{where}: unknown style {r['style']!r}")
        if r["lang"] not in LANGS:
            errors.append(f"{where}: unknown lang {r['lang']!r}")
        text = r["text"]
        if not text.strip() or len(text) < 40 or len(text) > 1200:
            errors.append(f"{where}: text length {len(text)} outside 40..1200")
        if r["title"] is not None and not r["title"].strip():
            errors.append(f"{where}: empty title (use null)")
        if not r["group"].strip():
            errors.append(f"{where}: empty group")
        if unicodedata.is_normalized("NFC", text) is False and r["kind"] != (
            "scam_recruitment_obfuscated"
        ):
            errors.append(f"{where}: text is not NFC")
        key = " ".join(text.split()).casefold()
        if key in texts:
            errors.append(f"{where}: duplicate text of {texts[key]}")
        texts[key] = r["id"]
        group_labels[r["group"]].add(r["label"])
        if r["kind"] == "scam_recruitment_obfuscated" and not obfuscation_tricks(text):
            errors.append(f"{where}: obfuscated row shows no obfuscation trick")
    for i, c in ids.items():
        if c > 1:
            errors.append(f"id {i} used {c} times")
    for g, labels in group_labels.items():
        if len(labels) > 1:
            errors.append(f"group {g} mixes labels {sorted(labels)}")


def check_counts(rows: list[dict], errors: list[str]) -> None:
    if len(rows) < MIN_TOTAL:
        errors.append(f"only {len(rows)} rows, need >= {MIN_TOTAL}")
    kinds = Counter(r.get("kind") for r in rows)
    for kind, need in MIN_KIND.items():
        if kinds[kind] < need:
            errors.append(f"kind {kind}: {kinds[kind]} rows, need >= {need}")
    for lang in CORE_LANGS:
        lab = Counter(r.get("label") for r in rows if r.get("lang") == lang)
        if lab[0] + lab[1] < MIN_PER_CORE_LANG:
            errors.append(f"lang {lang}: {lab[0] + lab[1]} rows, need >= {MIN_PER_CORE_LANG}")
        if not lab[0] or not lab[1]:
            errors.append(f"lang {lang}: needs both labels (has {dict(lab)})")


def check_shared(rows: list[dict], shared: Path, errors: list[str], width: int = 60) -> None:
    corpus = []
    for p in sorted(shared.rglob("*.jsonl")):
        with p.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    t = " ".join(f"{obj.get('title') or ''} {obj.get('text') or ''}".split())
                    corpus.append(t.casefold())
    blob = "\n".join(corpus)
    hits = 0
    for r in rows:
        t = " ".join(str(r.get("text", "")).split()).casefold()
        for start in range(0, max(1, len(t) - width + 1), width // 2):
            window = t[start : start + width]
            if len(window) == width and window in blob:
                errors.append(f"{r.get('id')}: text overlaps shared data: {window!r}")
                hits += 1
                break
    print(f"shared-data overlap check: {len(corpus)} shared records, {hits} overlapping seed rows")


def table(rows: list[dict], markdown: bool) -> str:
    kinds = list(KIND_LABEL)
    order = {lang: i for i, lang in enumerate(CORE_LANGS)}
    langs = sorted({r["lang"] for r in rows}, key=lambda x: (order.get(x, 99), x))
    counts = Counter((r["kind"], r["lang"]) for r in rows)
    head = ["kind (label)", *langs, "total"]
    body = []
    for k in kinds:
        vals = [counts[(k, lang)] for lang in langs]
        body.append([f"{k} ({KIND_LABEL[k]})", *map(str, vals), str(sum(vals))])
    for lab in (1, 0):
        vals = [sum(counts[(k, lang)] for k in kinds if KIND_LABEL[k] == lab) for lang in langs]
        body.append([f"all label={lab}", *map(str, vals), str(sum(vals))])
    tot = [sum(1 for r in rows if r["lang"] == lang) for lang in langs]
    body.append(["all", *map(str, tot), str(len(rows))])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*row) for row in [head, *body])


def side_tables(rows: list[dict], markdown: bool) -> str:
    out = []
    style = Counter((r["kind"], r["style"]) for r in rows)
    out.append("style by kind: " + ", ".join(f"{k}/{s}={n}" for (k, s), n in sorted(style.items())))
    groups = Counter(r["group"] for r in rows)
    multi = {g: n for g, n in groups.items() if n > 1}
    out.append(
        f"groups: {len(groups)} distinct; {len(multi)} shared by 2+ rows "
        f"({sum(multi.values())} rows)"
    )
    tricks = Counter(
        t
        for r in rows
        if r["kind"] == "scam_recruitment_obfuscated"
        for t in obfuscation_tricks(r["text"])
    )
    listed = ", ".join(f"{t}={n}" for t, n in tricks.most_common())
    out.append(f"obfuscation tricks (rows): {listed}")
    sep = "\n\n" if markdown else "\n"
    return sep.join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--shared", type=Path, help="directory of research JSONL to check overlap")
    ap.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    args = ap.parse_args(argv)

    errors: list[str] = []
    rows = load(args.path, errors)
    validate(rows, errors)
    check_counts(rows, errors)
    if args.shared:
        check_shared(rows, args.shared, errors)
    good = [r for r in rows if all(isinstance(r.get(f), t) for f, t in FIELDS.items())]
    print(table(good, args.markdown))
    print()
    print(side_tables(good, args.markdown))
    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)", file=sys.stderr)
        for e in errors:
            print("  - " + e, file=sys.stderr)
        return 1
    print(f"\nOK: {len(rows)} rows in {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
