"""Airflow for tests: a throw-away AIRFLOW_HOME (set before anything imports airflow),
examples off, the project's dags/ folder, and ``airflow db migrate`` once per session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAGS = PROJECT_ROOT / "dags"

if "airflow" not in sys.modules:
    _home = tempfile.mkdtemp(prefix="lurewatch-airflow-")
    os.environ["AIRFLOW_HOME"] = _home
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[Path]:
    """A migrated Airflow metadata database (SQLite) under the test AIRFLOW_HOME."""
    airflow = Path(sys.executable).parent / "airflow"
    proc = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(os.environ["AIRFLOW_HOME"])
