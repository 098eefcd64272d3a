"""Save and load the classifier with skops (never raw pickle) beside its model card.

``<name>.skops`` holds the pipeline; ``<name>.card.json`` the machine-readable card
(threshold, version, metrics, data fingerprints) and ``<name>.card.md`` the readable one.
Loading refuses any type outside :data:`TRUSTED_PREFIXES`.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.pipeline import Pipeline

#: Types a model file may contain: scikit-learn, numpy, scipy and our own feature code.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "pipeline.features.", "builtins.")


class ModelError(RuntimeError):
    """The model artefact is missing, untrusted or inconsistent; the message says what to do."""


@dataclass(frozen=True)
class Model:
    pipeline: Pipeline
    card: dict[str, Any]

    @property
    def threshold(self) -> float:
        return float(self.card["threshold"])

    @property
    def version(self) -> str:
        return str(self.card["model_version"])


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".card.json")


def save_model(pipeline: Pipeline, card: dict[str, Any], path: Path, card_md: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    card_path(path).write_text(json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                               "utf-8")
    path.with_suffix(".card.md").write_text(card_md, "utf-8")


@lru_cache(maxsize=4)
def load_model(path: Path) -> Model:
    """Load a model and its card (cached per path). Raises ModelError."""
    return read_model(path)


def read_model(path: Path) -> Model:
    """Load a model and its card from disk (not cached). Raises ModelError."""
    if not path.is_file():
        raise ModelError(f"no model at {path}: run `lurewatch train` or set LUREWATCH_MODEL")
    cpath = card_path(path)
    if not cpath.is_file():
        raise ModelError(f"model {path} has no card {cpath}; retrain with `lurewatch train`")
    # skops resolves some names by scanning sys.modules; inside Airflow that touches
    # deprecated shim modules which warn on every attribute lookup. The warnings are noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        untrusted = sio.get_untrusted_types(file=path)
        bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if bad:
            raise ModelError(f"model {path} contains untrusted types {bad}; refusing to load it")
        pipeline = sio.load(path, trusted=untrusted)
    from models.classifier import fast_transforms  # models trained with a plain word TfidfVectorizer

    return Model(pipeline=fast_transforms(pipeline), card=json.loads(cpath.read_text("utf-8")))
