"""Synthetic labelled files with a few sources, written by the tests (no test reads the
shared research data): two legitimate job boards, a scam source, a mixed message source and
a team-written development file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

JOB_WORDS = ("engineer nurse warehouse shift salary pension interview apply hospital retail manager team "
             "customer service weekly rota contract permanent holiday training supervisor cleaner driver").split()
SCAM_WORDS = ("easy money commission telegram whatsapp daily task earn bonus visa free flight casino crypto "
              "deposit passport overseas agent urgent guaranteed no experience cambodia typing").split()
CHAT_WORDS = ("hello meeting tomorrow thanks lunch podcast episode linux server docker release today tonight "
              "weekend game funny laptop").split()

#: Every row of board-a carries this word; a model trained without board-a never sees it.
MARKER = "zorblax"


def _text(rng: np.random.Generator, words: list[str], n: int, extra: str = "") -> str:
    return " ".join([*rng.choice(words, n), extra]).strip()


def write_rows(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def synthetic_sources(folder: Path, seed: int = 7) -> dict[str, Path]:
    """jobs.jsonl (board-a, board-b: legitimate; scam-x: scams), messages.jsonl (chat-y:
    both labels) and seed.jsonl (development data with groups). One board-b row is a
    near-duplicate (digits changed) of a board-a row."""
    rng = np.random.default_rng(seed)
    jobs: list[dict[str, object]] = []
    for i in range(60):
        jobs.append({"id": f"a-{i}", "title": "Job", "text": _text(rng, JOB_WORDS, 30, f"{MARKER} ref {i}"),
                     "label": 0, "lang": "en", "source": "board-a"})
    for i in range(60):
        jobs.append({"id": f"b-{i}", "title": "Job", "text": _text(rng, JOB_WORDS, 30, f"branch {i}"),
                     "label": 0, "lang": "en", "source": "board-b"})
    jobs.append({"id": "b-dup", "title": "Job", "text": str(jobs[0]["text"]).replace("ref 0", "ref 9999"),
                 "label": 0, "lang": "en", "source": "board-b"})
    for i in range(60):
        jobs.append({"id": f"x-{i}", "title": "Job", "text": _text(rng, SCAM_WORDS + JOB_WORDS[:4], 30, f"code {i}"),
                     "label": 1, "lang": "en", "source": "scam-x"})
    messages = [{"id": f"y-{i}", "text": _text(rng, SCAM_WORDS if i % 2 else CHAT_WORDS, 18, f"msg {i}"),
                 "label": i % 2, "lang": "en", "source": "chat-y"} for i in range(80)]
    seed_rows = [{"id": f"s-{i}", "title": None, "text": _text(rng, SCAM_WORDS if i % 2 else JOB_WORDS, 25),
                  "label": i % 2, "lang": "en", "group": f"g{i % 20}"} for i in range(40)]
    return {"jobs": write_rows(folder / "jobs.jsonl", jobs),
            "messages": write_rows(folder / "messages.jsonl", messages),
            "seed": write_rows(folder / "seed.jsonl", seed_rows)}


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    return synthetic_sources(tmp_path)
