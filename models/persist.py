"""Save and load the classifier with skops (never raw pickle) beside its model card.

``<name>.skops`` holds the pipeline; ``<name>.card.json`` the machine-readable card
(threshold, version, metrics, data fingerprints) and ``<name>.card.md`` the readable one.
Loading refuses a file holding any type outside :data:`TRUSTED_TYPES`, the exact list of
types the classifier of :mod:`models.classifier` is made of: a file naming ``builtins.exec``,
``os.system`` or any other callable is refused before anything in it is built.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import skops.io as sio
from sklearn.pipeline import Pipeline

if TYPE_CHECKING:
    from models.features import ModelInput

#: Every type and function a model file may name (its skops schema, walked whole). A name
#: outside this list (another estimator, ``builtins.exec``, ``os.system``) makes loading fail
#: before anything is built; extend it only together with :func:`models.classifier.build_pipeline`.
TRUSTED_TYPES = frozenset({
    "builtins.dict", "builtins.list", "builtins.str", "builtins.tuple", "builtins.int", "builtins.float",
    "builtins.bool", "builtins.NoneType", "numpy.ndarray", "numpy.float32", "numpy.float64", "numpy.int64",
    "numpy.dtype",
    "models.features.SignalFeatures",
    "models.features.analyze_chars",
    "models.features.ngram_text",
    "models.tfidf.FastTfidfVectorizer",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
})


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

    def score(self, inputs: Sequence[ModelInput]) -> tuple[list[float], Any]:
        """Probabilities (rounded to 6 places) for :class:`~models.features.ModelInput` rows,
        and the feature matrix they were computed from (for :mod:`models.explain`)."""
        if not inputs:
            return [], None
        features = self.pipeline.named_steps["features"].transform(list(inputs))
        probs = self.pipeline.named_steps["clf"].predict_proba(features)[:, 1]
        return [round(float(p), 6) for p in probs], features


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".card.json")


def save_model(pipeline: Pipeline, card: dict[str, Any], path: Path, card_md: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    card_path(path).write_text(json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                               "utf-8")
    path.with_suffix(".card.md").write_text(card_md, "utf-8")


def named_types(path: Path) -> set[str]:
    """Every ``module.name`` the skops file at ``path`` refers to (types, functions), read
    from its schema without building anything. Raises ModelError if it is not a skops file."""
    try:
        with zipfile.ZipFile(path) as zf:
            schema = json.loads(zf.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelError(f"model {path} is not a readable skops file ({exc}); retrain with `lurewatch train`") from exc
    names: set[str] = set()
    todo: list[Any] = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                names.add(f"{node['__module__']}.{node['__class__']}")
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return names


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
    bad = sorted(named_types(path) - TRUSTED_TYPES)
    if bad:
        hint = (" (a model saved by an older LureWatch: retrain it with `lurewatch train`)"
                if any(t.startswith("pipeline.features.") for t in bad) else "")
        raise ModelError(f"model {path} names types outside the trusted list {bad}; refusing to load it{hint}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        untrusted = set(sio.get_untrusted_types(file=path))
        if untrusted - TRUSTED_TYPES:  # what skops itself would not build, checked a second way
            raise ModelError(f"model {path} names types outside the trusted list "
                             f"{sorted(untrusted - TRUSTED_TYPES)}; refusing to load it")
        pipeline = sio.load(path, trusted=sorted(untrusted))
    return Model(pipeline=pipeline, card=json.loads(cpath.read_text("utf-8")))
