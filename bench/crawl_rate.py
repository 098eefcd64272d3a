"""Crawl rate with LureWatch's capture and guards on, against `scrapy bench`, same machine,
same script.

    .venv/bin/python bench/crawl_rate.py [--seconds 10] [--repeat 2]

`scrapy bench` runs Scrapy's follow-all spider against its local bench server for N seconds
with default settings. The LureWatch run crawls the same bench server for N seconds with the
project's Scrapy settings (spiders/settings.py: capture stamps, WARC writing, the private-
address guard, robots.txt, schema validation and the atomic record writer, monitors) and
politeness off (no delay, AutoThrottle off, Scrapy's default concurrency), yielding one
record per page. The result is the ratio of pages per second; the goal is >= 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAT = re.compile(r"'(response_received_count|elapsed_time_seconds|item_scraped_count)': ([\d.]+)")


def parse_stats(log: str) -> dict[str, float]:
    return {k: float(v) for k, v in STAT.findall(log)}


def run_scrapy_bench(seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as cwd:  # no scrapy.cfg: Scrapy's defaults
        proc = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
                              cwd=cwd, capture_output=True, text=True, timeout=seconds * 10 + 60, check=True)
    return parse_stats(proc.stderr)


def run_lurewatch(seconds: int, workdir: Path) -> dict[str, float]:
    server = subprocess.Popen([sys.executable, "-u", "-m", "scrapy.utils.benchserver"], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "Bench server at http://localhost:8998"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, str(ROOT / "bench" / "follow_capture.py"), str(seconds), str(workdir)],
                              env=env, capture_output=True, text=True, timeout=seconds * 10 + 60, check=False)
    finally:
        server.kill()
        server.wait()
        time.sleep(0.2)
    stats = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    if not stats:
        raise SystemExit(f"LureWatch bench crawl failed:\n{proc.stderr[-3000:]}")
    return {k: float(stats[k]) for k in ("response_received_count", "elapsed_time_seconds", "item_scraped_count")
            if k in stats} | {"warc_bytes": float(stats.get("warc_bytes", 0))}


def rate(stats: dict[str, float]) -> float:
    return stats["response_received_count"] / stats["elapsed_time_seconds"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2, help="alternate runs of each, best kept")
    args = ap.parse_args()
    plain, ours = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            plain.append(run_scrapy_bench(args.seconds))
            ours.append(run_lurewatch(args.seconds, Path(tmp) / f"run{i}"))
    best_plain = max(plain, key=rate)
    best_ours = max(ours, key=rate)
    ratio = rate(best_ours) / rate(best_plain)
    print(f"scrapy bench:            {rate(best_plain):8.1f} pages/s  "
          f"({int(best_plain['response_received_count'])} pages in {best_plain['elapsed_time_seconds']:.1f} s)")
    print(f"LureWatch capture+guards: {rate(best_ours):8.1f} pages/s  "
          f"({int(best_ours['response_received_count'])} pages, {int(best_ours.get('item_scraped_count', 0))} "
          f"records, {best_ours['warc_bytes'] / 1e6:.1f} MB WARC in {best_ours['elapsed_time_seconds']:.1f} s)")
    print(f"ratio: {ratio:.2f} (goal >= 0.80); all runs plain {[round(rate(s), 1) for s in plain]} "
          f"ours {[round(rate(s), 1) for s in ours]}")


if __name__ == "__main__":
    main()
