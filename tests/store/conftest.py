"""Fixtures for the store contract tests: a record factory and one store per backend."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pipeline.records import Entity, IndicatorHit, Record
from pipeline.store.base import Store
from pipeline.store.elasticsearch import ElasticsearchStore
from pipeline.store.es_bulk import RetryPolicy
from pipeline.store.sqlite import SQLiteStore

FIXED_NOW = "2025-03-01T12:00:00.000Z"
#: Retries that give up in well under a second (tests of dead nodes stay fast).
FAST_RETRY = RetryPolicy(max_retries=2, initial_backoff=0.05, max_backoff=0.2)


@pytest.fixture
def es_index(es_url: str) -> Iterator[str]:
    """A fresh alias name for one test; its backing indices, audit index and template are
    deleted after (overrides the session conftest's, which knows only single indices)."""
    from elasticsearch import Elasticsearch

    name = f"lurewatch-test-{uuid.uuid4().hex[:12]}"
    yield name
    with Elasticsearch(es_url) as es:
        es.indices.delete(index=[f"{name}-d*", f"{name}-audit", name], ignore_unavailable=True,
                          allow_no_indices=True)
        es.options(ignore_status=404).indices.delete_index_template(name=name)


def make_record(
    url: str,
    text: str,
    *,
    title: str | None = None,
    source_id: str = "jobsite-uk",
    source_kind: str = "jobboard",
    partition: str = "2025-02-01",
    indicators: tuple[str, ...] = (),
    entities: tuple[tuple[str, str], ...] = (),
    **kwargs: Any,
) -> Record:
    """A captured-and-scored record from literals; ``indicators`` are ids, ``entities``
    (type, value) pairs, spans are placeholders."""
    return Record.from_capture(
        source_id=source_id,
        source_kind=source_kind,
        url=url,
        text=text,
        title=title,
        body_sha256=hashlib.sha256(f"{url}\n{text}".encode()).hexdigest(),
        fetched_at="2025-02-01T08:00:00Z",
        partition=partition,
        indicators=[IndicatorHit(id=i, start=0, end=4, weight=0.5, evidence=text[:4])
                    for i in indicators],
        entities=[Entity(type=t, value=v, start=0, end=len(v)) for t, v in entities],
        **kwargs,
    )


@pytest.fixture
def records() -> dict[str, Record]:
    """Six records: Vietnamese, Chinese, Thai, two English, one not yet scored."""
    return {
        "vi": make_record(
            "https://viec.example.vn/tin/1?utm_source=x",
            "Làm việc tại Campuchia, lương 1500 USD, bao vé máy bay, không cần kinh nghiệm.",
            title="Tuyển nhân viên văn phòng lương cao",
            source_id="jobsite-vn", lang="vi", score=0.91, flagged=True,
            indicators=("high_salary", "travel_paid"),
            entities=(("phone", "+855 12 345 678"),),
            stages={"normalize": "v1", "score": "clf-1"}, model_version="clf-1",
            extra={"listing": {"salary": [1500, "USD"], "remote": False}},
            published_at="2025-01-30",
        ),
        "zh": make_record(
            "https://t.example/xgjob/42",
            "西港园区包吃住，月薪两万，无需经验，联系飞机 @hr_xg",
            title="西港高薪招聘客服",
            source_id="tg-cn", source_kind="telegram", lang="zh", score=0.88, flagged=True,
            indicators=("high_salary", "telegram_contact"),
            entities=(("telegram", "@hr_xg"),),
        ),
        "th": make_record(
            "https://fb.example/groups/jobs/posts/7",
            "ค่าตอบแทนสูง ทำงานที่กัมพูชา ไม่ต้องมีประสบการณ์",
            title="รับสมัครพนักงาน",
            source_id="fb-th", source_kind="facebook", lang="th", score=0.75, flagged=True,
            partition="2025-02-02", indicators=("high_salary",),
        ),
        "uk": make_record(
            "https://jobs.example.co.uk/warehouse-assistant",
            "Full time warehouse role in Leeds, standard pay, apply by email.",
            title="Warehouse assistant",
            lang="en", score=0.05, flagged=False,
        ),
        "sv": make_record(
            "https://jobs.example.co.uk/customer-service",
            "Visa free, flights paid, high salary, contact our HR on Telegram today.",
            title="Customer service job in Sihanoukville",
            lang="en", score=0.91, flagged=True,
            indicators=("travel_paid", "telegram_contact"),
            entities=(("telegram", "@hr_xg"),),
        ),
        "raw": make_record(
            "https://jobs.example.co.uk/unscored",
            "Kitchen porter, evenings.",
            title="Kitchen porter",
        ),
    }


def _sqlite(tmp_path: Any) -> SQLiteStore:
    return SQLiteStore(tmp_path / "store.sqlite3", clock=lambda: FIXED_NOW)


@pytest.fixture(
    params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]
)
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    """An empty, set-up store of each backend."""
    s: Store
    if request.param == "sqlite":
        s = _sqlite(tmp_path)
    else:
        url = request.getfixturevalue("es_url")
        index = request.getfixturevalue("es_index")
        s = ElasticsearchStore(url, index, replicas=0, clock=lambda: FIXED_NOW,
                               data_dir=tmp_path / "data", retry=FAST_RETRY)
    s.setup()
    yield s
    s.close()


@pytest.fixture
def loaded(store: Store, records: dict[str, Record]) -> Store:
    """``store`` holding ``records``."""
    result = store.upsert(records.values())
    assert (result.created, result.updated) == (len(records), 0)
    return store


RecordFactory = Callable[..., Record]


@pytest.fixture
def record_factory() -> RecordFactory:
    return make_record


@pytest.fixture
def ids() -> Callable[[list[Record]], list[str]]:
    """The ids of records, in order."""
    return lambda records: [r.id for r in records]


@pytest.fixture
def hit_ids() -> Callable[..., set[str]]:
    """The ids of a store's search hits (first 100)."""
    def hit_ids(store: Store, query: str | None = None, **kwargs: Any) -> set[str]:
        return {h.record.id for h in store.search(query, size=100, **kwargs).hits}

    return hit_ids
