"""Accuracy of ``pipeline.langid.detect`` on labelled files, per file and expected language.

    .venv/bin/python bench/langid_accuracy.py [--against REV] [--diff FILE] [FILE ...]

Each post's ``text`` (what the pipeline passes to ``detect``) is classified and compared with
its ``lang`` label. Labels :func:`detect` cannot return are read as ``und`` (messages-real's
``ru``: Cyrillic is not a language of the region). A label with a slash (jobads-dev's
``vi/en``: the file says only which languages a source writes in) accepts any of its parts,
so that file's rows say less than the others'. Prints a Markdown table: posts, accuracy and
the commonest wrong answers per (file, label), for the current module and, with
``--against REV``, for ``pipeline/langid.py`` as it was at git revision REV. ``--diff FILE``
writes the posts on which the two disagree (JSON lines) for reading by hand.
Default files: ``models/data/seed.jsonl`` and the labelled files in ../shared/data
(research data, read in place and never copied). ``--foreign`` adds the example sentences
spaCy ships for other Latin-script languages (short: 3 to 30 per language), labelled with
their language, or ``other`` (expected ``und``) for one :func:`detect` cannot return.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.langid_speed import load_revision  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILES = (ROOT / "models" / "data" / "seed.jsonl", DATA / "jobads-dev.jsonl", DATA / "sms-aux.jsonl",
         DATA / "messages-real.jsonl", DATA / "jobads-en-legit.jsonl")
FOREIGN = ("fr", "es", "pt", "de", "it", "nl", "ca", "cs", "da", "fi", "hr", "hu", "lt", "pl", "ro", "sk", "sl",
           "sq", "sv", "tr", "az", "eu", "ht", "la", "lb", "lg", "nb", "tn", "yo")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def foreign_rows() -> list[dict[str, str]]:
    """spaCy's example sentences of :data:`FOREIGN`; languages the module cannot return: ``other``."""
    from pipeline import langid

    rows = []
    for code in FOREIGN:
        sentences = importlib.import_module(f"spacy.lang.{code}.examples").sentences
        rows += [{"text": text, "lang": code if code in langid.DETECTED else "other"} for text in sentences]
    return rows


def expected(label: str, detected: tuple[str, ...]) -> set[str]:
    return {part if part in detected else "und" for part in label.split("/")}


def cell(answers: list[tuple[str, set[str]]]) -> str:
    right = sum(got in want for got, want in answers)
    wrong = Counter(got for got, want in answers if got not in want)
    top = ", ".join(f"{lang} {n}" for lang, n in wrong.most_common(4))
    return f"{right / len(answers):.1%}" + (f" ({top})" if top else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(FILES))
    parser.add_argument("--against", metavar="REV", help="also run pipeline/langid.py at this git revision")
    parser.add_argument("--diff", type=Path, help="write the posts on which the two sides disagree here")
    parser.add_argument("--foreign", action="store_true", help="add spaCy's example sentences of other languages")
    args = parser.parse_args()

    from pipeline import langid

    sides: dict[str, ModuleType] = {"now": langid}
    if args.against:
        sides = {args.against: load_revision(args.against), **sides}
    print("| file | label | posts | " + " | ".join(f"{name}: right (wrong answers)" for name in sides) + " |")
    print("|---|---|---|" + "---|" * len(sides))
    totals: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    diffs = []
    sources: list[tuple[str, list[dict[str, str]]]] = [(path.name, read(path)) for path in args.files]
    if args.foreign:
        sources.append(("spacy-examples", foreign_rows()))
    for name, all_rows in sources:
        rows = [r for r in all_rows if r.get("lang")]
        answers = {side: [module.detect(r["text"]) for r in rows] for side, module in sides.items()}
        groups: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            groups[row["lang"]].append(i)
        for label, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            cells = []
            for side, module in sides.items():
                pairs = [(answers[side][i], expected(rows[i]["lang"], tuple(module.DETECTED))) for i in idx]
                totals[side] += pairs
                cells.append(cell(pairs))
            print(f"| {name} | {label} | {len(idx)} | " + " | ".join(cells) + " |")
        if len(sides) == 2:
            diffs += [{"file": name, "id": r.get("id", i), "lang": r["lang"],
                       **{side: answers[side][i] for side in sides}, "text": r["text"][:600]}
                      for i, r in enumerate(rows) if len({answers[side][i] for side in sides}) > 1]
    print("| all | | " + str(len(next(iter(totals.values())))) + " | "
          + " | ".join(cell(pairs) for pairs in totals.values()) + " |")
    if args.diff:
        args.diff.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in diffs), encoding="utf-8")
        print(f"\n{len(diffs)} posts differ: {args.diff}")


if __name__ == "__main__":
    main()
