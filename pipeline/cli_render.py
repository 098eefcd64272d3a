"""What the ``lurewatch`` commands print on stdout: items, metric tables, a day's summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from pipeline.settings import Settings

out = Console(soft_wrap=True)


def render_items(records: Sequence[Any], title: str) -> None:
    """Print records as a numbered list: score, source, title, link, the indicators that
    fired with their evidence, and the identifiers to pivot on."""
    out.print(f"[bold]{title}[/]")
    for n, r in enumerate(records, 1):
        first = r.title or (r.text.strip().splitlines() or [r.url])[0]
        out.print(f"{n:>3}. [bold red]{r.score:.2f}[/]  [cyan]{r.source_id}[/]  {escape(first[:100])}")
        out.print(f"     [dim]{escape(r.url)}[/]")
        seen: dict[str, str] = {}
        for h in r.indicators:
            if h.weight > 0 and h.id not in seen:
                seen[h.id] = " ".join(h.evidence.split())
        if seen:
            out.print("     indicators: " + escape(" · ".join(f"{i} “{e[:40]}”" for i, e in seen.items())))
        ids = sorted({f"{e.type} {e.value}" for e in r.entities if e.type != "url"})
        if ids:
            out.print("     identifiers: " + escape(", ".join(ids)))


def render_metrics(title: str, rows: dict[str, dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in ("group", "n", "scam", "precision", "recall", "F1", "PR-AUC", "flag rate", "TP", "FP", "FN", "TN"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, m in rows.items():
        table.add_row(escape(name), str(m["n"]), str(m["positives"]), f"{m['precision']:.3f}",
                      f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{m['pr_auc']:.3f}" if "pr_auc" in m else "–",
                      f"{m['flag_rate']:.3f}", str(m["tp"]), str(m["fp"]), str(m["fn"]), str(m["tn"]))
    out.print(table, width=max(out.width, 132))


def render_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    from rich.table import Table

    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(escape(c) for c in row))
    Console(soft_wrap=True, width=max(out.width, 150)).print(table)  # out.print clamps width to the terminal


def print_summary(settings: Settings, date: str) -> int:
    """Print the day's totals and the top of the review queue; returns items crawled."""
    from pipeline.crawl import crawl_totals
    from pipeline.store import open_store

    totals = crawl_totals(settings, date)
    store = open_store(settings)
    try:
        flagged = store.count({"partition": date, "flagged": True})
        in_queue = store.count({"flagged": True})
        top = store.queue(size=5)
    finally:
        store.close()
    out.print(f"\n[bold]{date}[/]: items crawled [bold]{totals['found']}[/] "
              f"({totals['written']} new or changed, {totals['removed']} removed), items flagged "
              f"[bold red]{flagged}[/] ({in_queue} in the review queue)")
    if top:
        render_items(top, "Top flagged items")
    env_hint = f"LUREWATCH_DATA_DIR={settings.data_dir} "
    out.print(f"See the whole queue: [bold]{env_hint}{Path(sys.executable).parent / 'lurewatch'} "
              f"queue --date {date}[/]")
    return totals["found"]
