"""One way to compute a post's signals: training, the daily stages and the offline commands
give the classifier exactly the same input for the same post."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.dataset import load_examples
from models.features import ENTITY_TYPES, ModelInput
from pipeline.posts import signals_of
from pipeline.records import Record
from pipeline.settings import PROJECT_ROOT
from pipeline.signals import clean_region, post_signals, resolve_lang
from pipeline.stages.signals import signals

SEED = PROJECT_ROOT / "models" / "data" / "seed.jsonl"


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]


def _record(row: dict[str, object], n: int, lang: object) -> Record:
    return Record.from_capture(source_id="s", source_kind="jobposting", url=f"https://jobs.example/{n}",
                               text=str(row["text"]), title=row.get("title") or None,  # type: ignore[arg-type]
                               body_sha256="0" * 64, fetched_at="2026-12-01T00:00:00Z", partition="2026-12-01",
                               lang=lang, region=row.get("region"))  # type: ignore[arg-type]


@pytest.mark.parametrize("with_lang", [True, False])
def test_training_and_serving_see_the_same_signals(tmp_path: Path, with_lang: bool) -> None:
    """Every seed post, with its language given (as a label, by the spider, in the offline
    input) or with none (detected on every path), a few with a region: the training rows, the
    daily pipeline's records and ``lurewatch score``'s posts become identical model inputs."""
    rows = _rows()
    for i, row in enumerate(rows):
        if not with_lang:
            row.pop("lang", None)
        if i % 7 == 0:
            row["region"] = "KH"
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")

    training = [e.input for e in load_examples(data)]
    records = list(signals([_record(r, n, r.get("lang")) for n, r in enumerate(rows)]))
    serving = [ModelInput.of_record(r) for r in records]
    offline = [ModelInput.of_signals(signals_of({"id": n, **r})) for n, r in enumerate(rows)]
    # what lurewatch score computes: the model's identifier types, the language only where it matters
    offline_model_types = [ModelInput.of_signals(signals_of({"id": n, **r}, ENTITY_TYPES, need_lang=False))
                           for n, r in enumerate(rows)]

    assert len(training) == len(rows) > 300
    assert training == serving == offline == offline_model_types
    assert sum(bool(x.hits) for x in training) > 100
    assert sum(bool(x.entity_types) for x in training) > 50
    sources = {r.lang_source for r in records}
    assert sources == ({"spider"} if with_lang else {"detected"})
    assert {r.region for r, row in zip(records, rows, strict=True) if row.get("region")} == {"KH"}


def test_the_language_is_detected_only_where_it_can_matter() -> None:
    quiet = post_signals("Tuyển nhân viên", "Làm việc tại nhà, liên hệ qua Telegram", need_lang=False)
    assert (quiet.lang, quiet.lang_source) == (None, None)
    digits = post_signals(None, "Gọi 0912 345 678 để biết thêm", need_lang=False)
    assert (digits.lang, digits.lang_source) == ("vi", "detected")
    assert [e.value for e in digits.entities if e.type == "phone"] == ["+84912345678"]
    given = post_signals(None, "Làm việc tại nhà", lang="vi-VN", need_lang=False)
    assert (given.lang, given.lang_source) == ("vi", "label")


def test_the_language_and_its_source() -> None:
    assert resolve_lang("vi-VN", "spider", "x") == ("vi", "spider")
    assert resolve_lang("th/en", "label", "x") == ("th", "label")
    assert resolve_lang("und", "label", "Tuyển nhân viên bán hàng lương cao") == ("vi", "detected")
    assert resolve_lang(None, "spider", "รับสมัครพนักงานขาย") == ("th", "detected")
    assert resolve_lang("", "label", "")[1] == "detected"
    with pytest.raises(ValueError, match="source"):
        resolve_lang("en", "detected", "x")


def test_regions_are_iso_codes_or_nothing() -> None:
    assert clean_region("kh") == "KH"
    assert clean_region(" VN ") == "VN"
    for junk in ("Anywhere", "USA Only", "", None, 3, "K1"):
        assert clean_region(junk) is None


def test_the_region_reads_local_numbers() -> None:
    text = "Call 012 345 678 today"
    assert [e.value for e in post_signals(None, text, lang="en", region="KH").entities if e.type == "phone"] == \
        ["+85512345678"]
    assert "+85512345678" not in [e.value for e in post_signals(None, text, lang="en").entities]


def test_the_stage_records_language_source_region_and_normalized_text() -> None:
    rec = Record.from_capture(source_id="s", source_kind="telegram", url="https://t.me/s/c/1",
                              title="Tuyển\u200b CSKH", text="Liên hệ Zalo 0912 345 678", body_sha256="0" * 64,
                              fetched_at="2026-12-01T00:00:00Z", partition="2026-12-01", lang="vi-VN", region="VN")
    (out,) = signals([rec])
    assert (out.lang, out.lang_source, out.region) == ("vi", "spider", "VN")
    assert out.extra["lang_tag"] == "vi-VN"
    assert out.norm_text == "Tuyển CSKH\nLiên hệ Zalo 0912 345 678"
    assert {(e.field, e.type) for e in out.entities} == {("text", "phone"), ("text", "zalo")}
    assert set(out.stages) == {"normalize", "extract", "indicators"}
    again = Record.from_dict(out.to_dict())
    assert (again.lang, again.lang_source, again.region) == ("vi", "spider", "VN")
