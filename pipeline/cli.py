"""The ``lurewatch`` command. ``lurewatch COMMAND --help`` documents each command."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from pipeline import cli_crawl, cli_store
from pipeline.cli_render import out, render_items, render_metrics, render_table
from pipeline.settings import PROJECT_ROOT, ConfigError, Settings

console = Console(stderr=True)

SEED_DATA = PROJECT_ROOT / "models" / "data" / "seed.jsonl"


# ---------------------------------------------------------------- commands


def _training_files(args: argparse.Namespace, settings: Settings) -> list[Path]:
    files = [Path(p) for p in args.data] if args.data else [SEED_DATA]
    if getattr(args, "from_store", False):
        from models.feedback import export_labels
        from pipeline.store import open_store

        path = settings.data_dir / "feedback" / "feedback.jsonl"
        store = open_store(settings)
        try:
            with console.status("reading investigators' labels from the store …"):
                n = export_labels(store, path)
        finally:
            store.close()
        console.print(f"· {n} labelled records from the store → {path}")
        if n:
            files.append(path)
    return files


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from models.evaluate import describe_confound
    from models.train import train

    output = args.output or settings.model_path
    result = train(_training_files(args, settings), output, n_splits=args.folds, force=args.force,
                   progress=lambda m: console.print(f"· {escape(m)}"))
    overall = result.metrics["overall"]
    console.print(f"[green]trained[/] {result.model_version} on {result.n_examples} examples; "
                  f"out-of-fold precision {overall['precision']:.3f} recall {overall['recall']:.3f} "
                  f"F1 {overall['f1']:.3f} at threshold {result.threshold:.2f}")
    for line in describe_confound(result.metrics["confound"]):
        console.print(f"  confound check: {line}")
    for reason in result.gate.reasons:
        console.print(f"  gate: {escape(reason)}")
    if result.promoted:
        forced = "" if result.gate.promote else " (forced)"
        console.print(f"[green]promoted{forced}[/]: {output} is now {result.model_version}\n"
                      f"card:  {output.with_suffix('.card.md')}")
        return 0
    console.print(f"[yellow]kept the current model[/] {output}; the candidate is {result.candidate} "
                  "(use --force to promote it anyway)")
    return 0


def _loso(args: argparse.Namespace, settings: Settings, out_dir: Path, model: Path) -> int:
    from models.loso_report import COLUMNS, headline_lines, prevalence_table, run_loso_evaluation, source_table
    from models.persist import ModelError, card_path

    if not 0 < args.prevalence < 1:
        raise UsageError(f"--prevalence must be between 0 and 1 (exclusive), got {args.prevalence}")
    threshold, note = args.threshold, ""
    if threshold == "fold":
        threshold, note = None, "chosen per fold on its training rows"
    elif threshold is None:
        try:
            card = json.loads(card_path(model).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the threshold from {card_path(model)} ({exc}); pass --threshold") from exc
        threshold, note = float(card["threshold"]), f"{card['threshold']:.2f} ({card['model_version']})"
    r = run_loso_evaluation(_training_files(args, settings), out_dir, threshold=threshold, threshold_note=note,
                            split=args.split, prevalence=args.prevalence, max_features=args.max_features,
                            n_jobs=args.jobs, manifest=args.manifest, shuffle=not args.file_order,
                            progress=lambda m: console.print(f"· {escape(m)}"))
    for title, rows in ((f"Leave-one-source-out, split {r['split']}, threshold {note or threshold}", r["sources"]),
                        ("Development data (team-written, grouped k-fold; not a held-out source)", r["development"])):
        render_table(title, COLUMNS, source_table(rows))
    render_table("Review queue at a stated prevalence", *prevalence_table(r["headline"]))
    for line in headline_lines(r["headline"]):
        out.print(escape(line))
    out.print(f"report: {r['report']} ({r['seconds']:.0f} s)")
    return 0


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from models.evaluate import describe_confound
    from models.frozen import MANIFEST, check, read_manifest
    from models.report import run_evaluation

    args.manifest = args.manifest or MANIFEST
    if args.check_frozen:
        problems = check(args.check_frozen, read_manifest(args.manifest))
        for problem in problems:
            console.print(f"[red]frozen split:[/] {escape(problem)}")
        out.print("the frozen split holds" if not problems else f"the frozen split does not hold ({len(problems)})")
        return 1 if problems else 0
    out_dir = args.out or settings.data_dir / "evaluation" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    model = args.model or settings.model_path
    if args.loso:
        return _loso(args, settings, out_dir, model)
    result = run_evaluation(_training_files(args, settings), model, out_dir, n_splits=args.folds,
                            cv=not args.no_cv, progress=lambda m: console.print(f"· {escape(m)}"))
    for key, title in (("cross_validation", "Cross-validation of the training recipe"),
                       ("held_out", f"Held-out sets, scored by {model.name}")):
        if key not in result:
            continue
        r = result[key]
        render_metrics(f"{title} (threshold {r['threshold']:.2f})", {"all": r["overall"], **r["by_file"]})
        render_metrics("  per language", r["by_lang"])
        render_metrics("  per source", r["by_source"])
        for line in describe_confound(r["confound"]):
            out.print(f"  confound check: {line}")
    out.print(f"PR curves: {result['pr_curve']}\nconfusion tables: {result['confusion']}\n"
              f"report: {result['report']}")
    return 0


def cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.scoring import score_file

    n = score_file(args.input, args.output, settings)
    console.print(f"scored {n} posts → {args.output}")
    return 0


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.extracting import extract_file

    n = extract_file(args.input, args.output)
    console.print(f"extracted identifiers from {n} posts → {args.output}")
    return 0


def cmd_queue(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.store import open_store

    store = open_store(settings)
    try:
        records = store.queue(partition=args.date, size=args.limit)
    finally:
        store.close()
    if args.json:
        for r in records:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
        return 0
    render_items(records, f"Review queue{' for ' + args.date if args.date else ''}: "
                          f"{len(records)} flagged, highest score first")
    return 0




# ---------------------------------------------------------------- parser


class UsageError(ValueError):
    pass


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", action="append",
                   help=f"labelled file (repeatable; default {SEED_DATA.relative_to(PROJECT_ROOT)}); e.g. "
                   "also ../shared/data/jobads-dev.jsonl")
    p.add_argument("--from-store", action="store_true",
                   help="add every record an investigator labelled true/false in the store")
    p.add_argument("--folds", type=int, default=5, help="grouped cross-validation folds (default 5)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="lurewatch", description=(
        "LureWatch: find job ads and posts recruiting people into scam compounds, and put "
        "them in front of investigators with evidence. Settings come from LUREWATCH_* "
        "variables (docs/settings.md)."))
    ap.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    cli_crawl.add_crawl_and_run(sub)

    p = sub.add_parser("train", help="train the classifier; promote it only if it is at least as good",
                       description="Train the scam-recruitment classifier on labelled JSON-lines "
                       "files (text, label; optional title, lang, source, group) and, with --from-store, "
                       "investigators' labels from the store. 20 %% of near-duplicate groups of every file "
                       "are held out; the rest is cross-validated with grouped splits (threshold, metrics "
                       "per file, source and language, confound check) and trained on. The candidate "
                       "replaces the model in use only if it is at least as good on every held-out set; "
                       "the command says why either way.")
    _data_args(p)
    p.add_argument("-o", "--output", type=Path, help="model path (default LUREWATCH_MODEL)")
    p.add_argument("--force", action="store_true", help="promote the candidate even if the gate says no")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="evaluate the classifier: tables, PR curves, confusion tables",
                       description="Cross-validate the training recipe with grouped splits and score the "
                       "held-out sets with the model in use; print metrics overall, per file, per source "
                       "and per language, and the confound check; write pr_curve.png, confusion.md and "
                       "report.json.")
    _data_args(p)
    p.add_argument("--model", type=Path, help="model to score the held-out sets (default LUREWATCH_MODEL)")
    p.add_argument("--out", type=Path, help="output directory (default <data>/evaluation/<time>)")
    p.add_argument("--no-cv", action="store_true", help="skip cross-validation (held-out sets only)")
    p.add_argument("--loso", action="store_true", help="the leave-one-source-out view instead (docs/evaluation.md): "
                   "per source trained without it, queue precision at --prevalence; writes loso.json, loso.md, "
                   "reliability.png, sources.png")
    p.add_argument("--split", choices=("dev", "frozen", "all"), default="dev",
                   help="--loso: which part of the frozen split to score (default dev)")
    p.add_argument("--threshold", type=lambda v: v if v == "fold" else float(v), default=None,
                   help="--loso: flag threshold, or 'fold' (chosen on each fold's training rows); default: the "
                   "--model card's")
    p.add_argument("--prevalence", type=float, default=0.01, help="--loso: share of scams in the stream (0.01)")
    p.add_argument("--max-features", type=int, default=40000, help="--loso: the recipe's max_features (40000)")
    p.add_argument("--jobs", type=int, default=2, help="--loso: processes fitting folds (default 2)")
    p.add_argument("--file-order", action="store_true", help="--loso: fit on rows in file order, as train does")
    p.add_argument("--check-frozen", nargs="+", type=Path, metavar="FILE",
                   help="only check that FILEs split as the frozen-split manifest pins; exit 1 if not")
    p.add_argument("--manifest", type=Path, help="the frozen-split manifest (default models/data/frozen-split.json)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("queue", help="flagged items, highest score first",
                       description="Show the review queue: flagged items, highest score first, with "
                       "the indicators that fired and the identifiers found.")
    p.add_argument("--date", type=cli_crawl.date_arg, help="only this partition")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON record per line instead of a table")
    p.set_defaults(func=cmd_queue)

    p = sub.add_parser("score", help="score posts from a JSON-lines file, offline",
                       description="Score posts: input lines with id and text (optional title, url, "
                       "lang); output one line per input in the same order with id, score (0..1), "
                       "flagged, indicators [{id, start, end, field}], explanation {summary, top}. Needs "
                       "neither Airflow nor Elasticsearch.")
    p.add_argument("input", help="JSON-lines input, or - for stdin")
    p.add_argument("-o", "--output", type=Path, required=True, help="JSON-lines output")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("extract", help="extract identifiers from a JSON-lines file, offline",
                       description="Extract identifiers investigators pivot on: input lines with id "
                       "and text (optional lang, region); output one line per input in the same order "
                       "with id, lang, entities [{type, value, start, end, …}] (phone, whatsapp, telegram, "
                       "line, wechat, zalo, messenger, email, url, crypto_wallet, money, age, location) and "
                       "indicators [{id, start, end, weight}]; offsets into text as given.")
    p.add_argument("input", help="JSON-lines input, or - for stdin")
    p.add_argument("-o", "--output", type=Path, required=True, help="JSON-lines output")
    p.set_defaults(func=cmd_extract)

    cli_crawl.add_prune_and_demo(sub)
    cli_store.add_commands(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from models.dataset import DatasetError
    from models.persist import ModelError
    from pipeline.crawl import CrawlError
    from pipeline.posts import InputError
    from pipeline.quickstart import DemoError
    from pipeline.register import RegisterError
    from pipeline.store.base import StoreError

    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except (ConfigError, UsageError, CrawlError, DemoError, InputError, StoreError, ModelError,
            DatasetError, RegisterError) as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
