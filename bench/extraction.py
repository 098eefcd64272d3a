"""Identifier extraction: accuracy on the annotated set and throughput against a plain baseline.

    .venv/bin/python bench/extraction.py [--posts 2000] [--repeat 3] [--dev]

Accuracy: runs the extraction of ``lurewatch extract`` in-process
(``pipeline.extractors.find.find_entities``: normalize, then every extractor) over
bench/data/extraction_gold.jsonl and reports per-type precision and recall. A predicted entity
matches a gold one when type and value are equal and the spans overlap (one-to-one).

Throughput: posts per second on one core (one Python thread) of normalize + extract, against a
baseline of phonenumbers' PhoneNumberMatcher plus simple regexes for @handles, e-mails and
URLs over the raw text, in the same run over the same corpus: the gold texts repeated to
``--posts`` posts (plus the texts of /work/shared/data/jobads-dev.jsonl with ``--dev`` when
that file exists). The normalization cache is cleared before every post so repeats cost
what new posts would. Best of ``--repeat`` runs.
Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import phonenumbers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "bench" / "data" / "extraction_gold.jsonl"
DEV = Path("/work/shared/data/jobads-dev.jsonl")
TYPES = ("phone", "whatsapp", "telegram", "line", "wechat", "zalo", "messenger", "email", "url",
         "crypto_wallet", "money", "age", "location")
REGION = {"vi": "VN", "th": "TH", "km": "KH", "id": "ID", "ms": "MY", "tl": "PH", "my": "MM", "zh": "CN", "en": "PH"}

Ent = tuple[str, str, int, int]  # type, value, start, end


def money_as_written(found: object) -> str:
    """Money compared as the gold set writes it, ``CUR amount[/period]`` in the currency as
    written (the extractor's value is that amount in USD per month at its dated rates, which
    the gold set cannot know). Alternatives (range ends, midpoint) are joined with ``|``."""
    x = getattr(found, "extra", {}) or {}
    period = "" if x.get("period_assumed", True) or not x.get("period") else f"/{x['period']}"
    amounts = [x.get(k) for k in ("amount", "low", "high") if x.get(k) is not None]
    return "|".join(f"{x.get('currency', '?')} {a:g}{period}" for a in amounts) or str(getattr(found, "value", ""))


def lurewatch_extractor() -> tuple[str, Callable[[str, str | None], list[Ent]]]:
    """The in-process extraction of ``lurewatch extract`` (normalize + extract)."""
    from pipeline.extractors.find import find_entities

    def run(text: str, lang: str | None) -> list[Ent]:
        return [(f.type, money_as_written(f) if f.type == "money" else f.value, f.start, f.end)
                for f in find_entities(text, lang)]
    return "pipeline.extractors.find.find_entities", run


_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{3,31})")
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.I)


def baseline(text: str, lang: str | None) -> list[Ent]:
    """phonenumbers + three regexes over the raw text (no normalization)."""
    out: list[Ent] = []
    for m in phonenumbers.PhoneNumberMatcher(text, REGION.get(lang or "", "ZZ")):
        out.append(("phone", phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164), m.start, m.end))
    emails = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
    out += [("email", text[s:e].lower(), s, e) for s, e in emails]
    out += [("telegram", m.group(1).lower(), m.start(), m.end()) for m in _HANDLE.finditer(text)
            if not any(s <= m.start() < e for s, e in emails)]
    out += [("url", m.group(0), m.start(), m.end()) for m in _URL.finditer(text)]
    return out


def score(gold: Sequence[dict], predict: Callable[[str, str | None], list[Ent]]) -> dict[str, Counter[str]]:
    """Per type: tp, gold count, predicted count, and gold entities overlapped by a
    prediction of the same type whatever its value (``span``: detection without normalization)."""
    c: dict[str, Counter[str]] = {}
    for row in gold:
        pred = predict(row["text"], row["lang"])
        used: set[int] = set()
        for g in row["entities"]:
            cnt = c.setdefault(g["type"], Counter())
            cnt["gold"] += 1
            if any(t == g["type"] and s < g["end"] and g["start"] < e for t, _, s, e in pred):
                cnt["span"] += 1
            for i, (t, v, s, e) in enumerate(pred):
                if i not in used and t == g["type"] and g["value"] in v.split("|") and s < g["end"] and g["start"] < e:
                    used.add(i)
                    cnt["tp"] += 1
                    break
        for t, *_ in pred:
            c.setdefault(t, Counter())["pred"] += 1
    return c


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}" if den else "–"


def accuracy_table(lw: dict[str, Counter[str]], base: dict[str, Counter[str]]) -> list[str]:
    lines = ["| type | gold | predicted | precision % | recall % | span recall % | baseline P % | baseline R % |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    types = list(TYPES) + sorted(t for t in lw if t not in TYPES)
    for t in types:
        a, b = lw.get(t, Counter()), base.get(t, Counter())
        if not (a["gold"] or a["pred"]):
            continue
        bp, br = (_pct(b["tp"], b["pred"]), _pct(b["tp"], b["gold"])) if b["pred"] else ("–", "–")
        lines.append(f"| {t} | {a['gold']} | {a['pred']} | {_pct(a['tp'], a['pred'])} | {_pct(a['tp'], a['gold'])} | "
                     f"{_pct(a['span'], a['gold'])} | {bp} | {br} |")
    tot = {k: sum(v[k] for t, v in lw.items()) for k in ("tp", "gold", "pred", "span")}
    btot = {k: sum(v[k] for t, v in base.items()) for k in ("tp", "gold", "pred")}
    lines.append(f"| **all** | {tot['gold']} | {tot['pred']} | {_pct(tot['tp'], tot['pred'])} | "
                 f"{_pct(tot['tp'], tot['gold'])} | {_pct(tot['span'], tot['gold'])} | "
                 f"{_pct(btot['tp'], btot['pred'])} | {_pct(btot['tp'], btot['gold'])} |")
    return lines


def throughput(corpus: Sequence[tuple[str, str | None]], fn: Callable[[str, str | None], list[Ent]],
               repeat: int, clear: Callable[[], None] | None) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, lang in corpus:
            if clear:
                clear()
            fn(text, lang)
        best = min(best, time.perf_counter() - t0)
    return len(corpus) / best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=2000, help="corpus size for throughput (gold texts repeated)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per extractor (best is reported)")
    ap.add_argument("--dev", action="store_true", help=f"add the texts of {DEV} to the corpus when it exists")
    args = ap.parse_args(argv)

    from pipeline.textnorm import normalize_text

    gold = [json.loads(line) for line in GOLD.read_text("utf-8").split("\n") if line.strip()]
    name, lw = lurewatch_extractor()
    acc_lw, acc_base = score(gold, lw), score(gold, baseline)

    base_texts = [(r["text"], r["lang"]) for r in gold]
    if args.dev and DEV.exists():
        dev = [json.loads(line) for line in DEV.read_text("utf-8").split("\n") if line.strip()]
        base_texts += [(d["text"], d.get("lang")) for d in dev if d.get("text")]
    corpus = (base_texts * (args.posts // len(base_texts) + 1))[:args.posts]
    lw(corpus[0][0], corpus[0][1])  # load the spaCy pipeline and gazetteers outside the timing
    # a repeat costs what a new post would (older builds cached normalization per text)
    pps_lw = throughput(corpus, lw, args.repeat, getattr(normalize_text, "cache_clear", None))
    pps_base = throughput(corpus, baseline, args.repeat, None)

    langs = Counter(r["lang"] for r in gold)
    out = [
        "### Identifier extraction (bench/extraction.py)",
        "",
        "```",
        f"$ .venv/bin/python bench/extraction.py --posts {args.posts} --repeat {args.repeat}"
        + (" --dev" if args.dev else ""),
        "```",
        "",
        f"Gold set: bench/data/extraction_gold.jsonl, {len(gold)} posts, "
        f"{sum(len(r['entities']) for r in gold)} entity spans, languages "
        + ", ".join(f"{k} {v}" for k, v in langs.most_common()) + ".",
        f"Extractor: `{name}` (normalize + extract). Match = same type, same value, overlapping span. "
        "Span recall = a prediction of the same type overlaps, whatever its value. "
        "Baseline = PhoneNumberMatcher + regexes for @handles, e-mails, URLs on the raw text.",
        "",
        *accuracy_table(acc_lw, acc_base),
        "",
        f"Throughput, one core, {len(corpus)} posts (gold texts repeated"
        + (", plus jobads-dev" if args.dev and DEV.exists() else "") + f"), best of {args.repeat}:",
        "",
        "| pipeline | posts/s | relative |",
        "|---|---:|---:|",
        f"| LureWatch normalize + extract | {pps_lw:,.0f} | {pps_lw / pps_base:.2f} |",
        f"| baseline phonenumbers + regex | {pps_base:,.0f} | 1.00 |",
        "",
        f"Python {platform.python_version()}, phonenumbers {phonenumbers.__version__}, {platform.machine()} "
        f"{_cpu()}.",
    ]
    print("\n".join(out))
    return 0


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    raise SystemExit(main())
