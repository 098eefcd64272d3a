"""Removal evidence from a crawl reaches the store: ``process_partition`` applies a day's
``.removed.jsonl`` through ``Store.mark_removed`` (both backends, real HTTP, real ES)."""

from __future__ import annotations

import json
import shutil
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.demo import JOBBOARD_PATH, sites_root
from pipeline.demo.crawl import run_crawl
from pipeline.demo.server import FixtureHandler, FixtureServer
from pipeline.run import process_partition
from pipeline.settings import Settings
from pipeline.store import open_store

DAY1, DAY2 = "2026-11-28", "2026-11-29"
WAREHOUSE = "jobboard/jobs/warehouse-operative-daventry-harbourline.html"


class GoneHandler(FixtureHandler):
    """410 Gone for URL paths listed in ``<root>/GONE``."""

    def _serve(self, *, body: bool) -> None:
        gone = Path(self.server.root) / "GONE"  # type: ignore[attr-defined]
        if gone.exists() and urlsplit(self.path).path in gone.read_text("utf-8").split():
            self._headers(HTTPStatus.GONE, "text/plain; charset=utf-8", 5)
            if body:
                self.wfile.write(b"Gone\n")
            return
        super()._serve(body=body)


class GoneServer(FixtureServer):
    def start(self) -> GoneServer:
        super().start()
        self._httpd.RequestHandlerClass = GoneHandler  # type: ignore[union-attr]
        return self


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_a_410_seen_by_the_crawl_marks_the_stored_record_removed(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data = tmp_path / "data"
    env = {"LUREWATCH_DATA_DIR": str(data), "LUREWATCH_SOURCES": str(tmp_path / "sources.yaml")}
    if backend == "elasticsearch":
        env["LUREWATCH_ES_URL"] = request.getfixturevalue("es_url")
        env["LUREWATCH_ES_INDEX"] = request.getfixturevalue("es_index")
    settings = Settings.from_env(env)
    root = tmp_path / "site"
    shutil.copytree(sites_root(), root)
    with GoneServer(root) as srv:
        def crawl(partition: str) -> list[dict]:
            res = run_crawl(
                "jobposting", [srv.url(JOBBOARD_PATH)], settings.raw_partition("board", partition),
                "--set", f"LUREWATCH_WARC_DIR={data / 'warc'}",
                "--set", f"LUREWATCH_STATE_DIR={data / 'state'}",
                source_id="board", partition=partition,
            )
            assert res.returncode == 0, res.stderr
            return res.records

        day1 = crawl(DAY1)
        assert process_partition(DAY1, settings).removed == 0
        (root / "GONE").write_text(f"/{WAREHOUSE}\n", "utf-8")
        crawl(DAY2)

    [gone] = [r for r in day1 if r["url"].endswith(WAREHOUSE)]
    summary = process_partition(DAY2, settings)
    assert (summary.read, summary.removed, summary.invalid_removals) == (0, 1, 0)
    [line] = [json.loads(x) for x in
              (data / "raw" / "board" / f"{DAY2}.removed.jsonl").read_text("utf-8").splitlines()]
    assert process_partition(DAY2, settings).removed == 0  # idempotent
    assert process_partition(DAY1, settings).removed == 0  # re-running day 1 does not revive it
    store = open_store(settings)
    try:
        record = store.get(gone["id"])
        assert (record.lifecycle.status, record.lifecycle.removal_reason) == ("removed", "http 410")
        assert record.lifecycle.removed_at == line["removed_at"]
        assert record.warc_record_id == gone["warc_record_id"]  # the capture, kept
        assert store.count() == 12  # nothing deleted
        others = [store.get(r["id"]).lifecycle.status for r in day1 if r["id"] != gone["id"]]
        assert set(others) == {"live"}
    finally:
        store.close()
