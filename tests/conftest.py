"""Session fixtures shared by all tests.

``es_url``: a real Elasticsearch node. With ``LUREWATCH_ES_URL`` set, that node is used;
otherwise ``scripts/es.sh start`` starts one on a free port for the session and stops it at
the end. If no node can be had, every test that needs it FAILS (never skips) with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ES_SCRIPT = PROJECT_ROOT / "scripts" / "es.sh"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _es_sh(command: str, port: int, timeout: float, url_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ES_PORT": str(port), "ES_EPHEMERAL": "1"}
    if url_file is not None:
        env["ES_URL_FILE"] = str(url_file)
    return subprocess.run(
        ["bash", str(ES_SCRIPT), command], env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


@pytest.fixture(scope="session")
def es_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real Elasticsearch node (see module docstring). The script writes the URL
    to a file of its own (``ES_URL_FILE``): no tool's output on stdout can corrupt it."""
    given = os.environ.get("LUREWATCH_ES_URL", "").strip()
    if given:
        yield given
        return
    port = free_port()
    url_file = tmp_path_factory.mktemp("es") / "url"
    try:
        proc = _es_sh("start", port, timeout=600, url_file=url_file)
    except subprocess.TimeoutExpired as exc:
        _es_sh("stop", port, timeout=60)
        pytest.fail(f"scripts/es.sh start timed out after {exc.timeout}s", pytrace=False)
    if proc.returncode != 0:
        _es_sh("stop", port, timeout=60)
        pytest.fail(
            "could not start Elasticsearch with scripts/es.sh start "
            f"(exit {proc.returncode}); set LUREWATCH_ES_URL to use a running node.\n"
            f"{proc.stderr[-4000:]}",
            pytrace=False,
        )
    try:
        yield url_file.read_text("utf-8").strip()
    finally:
        _es_sh("stop", port, timeout=90)


@pytest.fixture
def es_index(es_url: str) -> Iterator[str]:
    """A fresh index name for one test; the index and its ``-audit`` twin are deleted after."""
    from elasticsearch import Elasticsearch

    name = f"lurewatch-test-{uuid.uuid4().hex[:12]}"
    yield name
    with Elasticsearch(es_url) as es:
        es.indices.delete(index=[name, f"{name}-audit"], ignore_unavailable=True)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing Hypothesis test is reported as a failure, with its falsifying example.

    Without this, Hypothesis then writes a patch with that example through libcst, which
    crashes here (zope.interface ``__provides__``) and aborts the whole session with an
    INTERNALERROR that hides every later result. This wrapper runs inside Hypothesis's own and
    drops the examples it would patch in; the failure and its traceback stay.
    """
    yield
    if hasattr(item, "_hypothesis_failing_examples"):
        delattr(item, "_hypothesis_failing_examples")
