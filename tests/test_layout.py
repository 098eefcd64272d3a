"""The project's layers hold (import contracts in .importlinter) and no module outgrows
scripts/check_module_size.MAX_LINES."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    proc = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_no_module_over_the_size_limit() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_module_size.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
