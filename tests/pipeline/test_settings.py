from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, SETTINGS_DOC, ConfigError, Settings


def test_every_setting_is_documented() -> None:
    doc = (PROJECT_ROOT / "docs" / "settings.md").read_text("utf-8")
    missing = [name for name in SETTINGS_DOC if f"`{name}`" not in doc]
    assert missing == []


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({})
    assert s.data_dir == tmp_path / "lurewatch-data"
    assert s.es_url is None
    assert s.sources_file == PROJECT_ROOT / "spiders" / "sources.yaml"
    assert s.threshold is None
    assert not s.allow_private


@pytest.mark.parametrize(("env", "message"), [
    ({"LUREWATCH_THRESHOLD": "high"}, "LUREWATCH_THRESHOLD"),
    ({"LUREWATCH_THRESHOLD": "1.5"}, "between 0 and 1"),
    ({"LUREWATCH_ES_URL": "localhost:9200"}, "http://"),
    ({"LUREWATCH_CRAWL_TIMEOUT": "soon"}, "LUREWATCH_CRAWL_TIMEOUT"),
])
def test_bad_values_say_what_to_do(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_values_are_typed() -> None:
    s = Settings.from_env({"LUREWATCH_THRESHOLD": "0.4", "LUREWATCH_ALLOW_PRIVATE": "1",
                           "LUREWATCH_ES_URL": "http://127.0.0.1:9250", "LUREWATCH_DATA_DIR": "/tmp/x"})
    assert s.threshold == 0.4
    assert s.allow_private
    assert s.es_url == "http://127.0.0.1:9250"
    assert s.data_dir == Path("/tmp/x")
