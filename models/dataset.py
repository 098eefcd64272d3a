"""Labelled examples for training and evaluation.

Any JSON-lines file with ``text`` and ``label`` (1 = deceptive recruitment or job scam,
0 = not) and optional ``id``, ``title``, ``lang``, ``region``, ``source``, ``group`` is
accepted. A row's model input is computed by :func:`pipeline.signals.post_signals`, exactly as
the daily pipeline and ``lurewatch score`` compute it, its ``lang`` counting as a label
(``und``, a missing one: detected). Rows without a ``group`` are grouped by a near-duplicate
key so reposted templates never straddle a train/test split.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from models.features import ModelInput
from pipeline.signals import post_signals


class DatasetError(ValueError):
    """A training file is missing or malformed; the message names file and line."""


@dataclass(frozen=True)
class Example:
    id: str
    input: ModelInput  # what the classifier reads (normalized text and signals)
    label: int
    lang: str
    source: str
    group: str
    origin: str = ""  # the data file's stem (an evaluation set is the held-out part of one file)
    split_key: str = ""  # near-duplicate key of the raw row (models.frozen splits by it): see split_key


def near_duplicate_key(text: str) -> str:
    """Group key for near-duplicates: the first 160 letters of the text, lower-cased, with
    digits, placeholders, punctuation and whitespace removed."""
    t = re.sub(r"#\w+#", "", text.lower())
    t = re.sub(r"[\W\d_]+", "", t)
    return hashlib.sha1(t[:160].encode()).hexdigest()[:16]  # noqa: S324 - not security


def split_key(row: dict[str, object], default_source: str) -> str:
    """The near-duplicate key of a raw data row, computed from the row as stored (its
    ``group``, else its text without the title, so reposts under new titles stay together),
    never from normalized text: a change to the normalizer must not move rows across the
    frozen evaluation split (:mod:`models.frozen`)."""
    source = str(row.get("source") or default_source)
    if row.get("group"):
        return f"{source}:{row['group']}"
    return "raw:" + near_duplicate_key(str(row.get("text") or ""))


def file_fingerprint(path: Path) -> str:
    """SHA-256 of a data file (for model cards)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_examples(path: Path) -> list[Example]:
    """Read one labelled JSON-lines file; raises DatasetError naming file and line."""
    if not path.is_file():
        raise DatasetError(f"{path}: no such training file")
    out = []
    default_source = path.stem
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                label = int(row["label"])
                text = row["text"]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise DatasetError(f"{path}:{n}: needs JSON with 'text' and 'label' ({exc})") from exc
            if label not in (0, 1):
                raise DatasetError(f"{path}:{n}: label must be 0 or 1, got {label}")
            lang = str(row.get("lang") or "und")
            sig = post_signals(row.get("title") or None, text or "", lang=lang, lang_source="label",
                               region=row.get("region"), need_lang=False)
            source = str(row.get("source") or default_source)
            group = row.get("group")
            group = f"{source}:{group}" if group else f"dup:{near_duplicate_key(sig.analysis_text)}"
            out.append(Example(str(row.get("id") or f"{default_source}-{n}"), ModelInput.of_signals(sig), label,
                               lang, source, group, path.stem, split_key(row, default_source)))
    return out
