"""Loading a model file: only the exact list of types the classifier is made of."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from models.classifier import build_pipeline
from models.persist import TRUSTED_TYPES, ModelError, named_types, read_model
from pipeline.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "models" / "artifacts" / "lurewatch-clf.skops"


def _write(obj: object, path: Path) -> Path:
    sio.dump(obj, path)
    path.with_suffix(".card.json").write_text('{"threshold": 0.5, "model_version": "x"}', "utf-8")
    return path


@pytest.mark.parametrize(("payload", "name"), [
    (exec, "builtins.exec"),
    (os.system, "posix.system"),
    (subprocess.Popen, "subprocess.Popen"),
])
def test_a_model_holding_a_dangerous_callable_is_refused(tmp_path: Path, payload: object, name: str) -> None:
    """A pipeline shaped like ours whose preprocessor is exec, os.system or Popen (it would
    run on scraped text) is refused before anything in it is built, naming the type."""
    pipe = build_pipeline()
    pipe.named_steps["features"].transformer_list[0][1].set_params(preprocessor=payload)
    path = _write(pipe, tmp_path / "evil.skops")
    assert name in named_types(path)
    with pytest.raises(ModelError, match=rf"outside the trusted list .*{name}"):
        read_model(path)


def test_all_three_in_one_file_are_all_named(tmp_path: Path) -> None:
    evil = Pipeline([("f", FeatureUnion([("a", FunctionTransformer(exec)), ("b", FunctionTransformer(os.system)),
                                         ("c", FunctionTransformer(subprocess.Popen))]))])
    path = _write(evil, tmp_path / "evil.skops")
    with pytest.raises(ModelError) as info:
        read_model(path)
    for name in ("builtins.exec", "posix.system", "subprocess.Popen", "FunctionTransformer"):
        assert name in str(info.value)


def test_other_builtins_and_estimators_are_refused_too(tmp_path: Path) -> None:
    path = _write({"x": np.zeros(2), "f": os.getcwd, "g": eval}, tmp_path / "evil.skops")
    with pytest.raises(ModelError, match="builtins.eval"):
        read_model(path)


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.skops"
    path.write_bytes(b"not a zip file")
    path.with_suffix(".card.json").write_text("{}", "utf-8")
    with pytest.raises(ModelError, match="not a readable skops file"):
        read_model(path)


def test_the_shipped_model_names_only_trusted_types() -> None:
    assert named_types(SHIPPED) <= TRUSTED_TYPES
    assert read_model(SHIPPED).version
