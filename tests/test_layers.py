"""The layers of ../shared/ARCHITECTURE.md, checked on the import statements: pipeline and
models never import spiders (they run them by subprocess); spiders import only pipeline's
contracts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What spiders may import from pipeline.
CONTRACTS = {"pipeline.records", "pipeline.settings", "pipeline.register", "pipeline.hostpolicy"}


def imported_modules(package: str) -> dict[str, set[str]]:
    """Absolute modules each file of ``package`` imports (module level or inside functions)."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        out[str(path.relative_to(ROOT))] = names
    return out


@pytest.mark.parametrize("package", ["pipeline", "models"])
def test_pipeline_and_models_never_import_spiders(package: str) -> None:
    offenders = {f: sorted(n for n in names if n.split(".")[0] == "spiders")
                 for f, names in imported_modules(package).items()}
    assert {f: n for f, n in offenders.items() if n} == {}


def test_spiders_import_only_pipeline_contracts() -> None:
    offenders = {f: sorted(n for n in names if n.split(".")[0] == "pipeline" and n not in CONTRACTS)
                 for f, names in imported_modules("spiders").items()}
    assert {f: n for f, n in offenders.items() if n} == {}
