"""Synthetic posts for the store benchmarks (deterministic from a seed): multilingual job-ad
text, scores, entities shared between posts (phones, handles), locations, dates."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

from pipeline.records import Entity, IndicatorHit, Record

WORDS = {
    "en": "job visa salary paid flight hotel customer service typist remote Cambodia Myanmar apply now team "
          "experience required contact telegram whatsapp warehouse nights Leeds driver office".split(),
    "vi": "việc làm lương cao Campuchia bao vé máy bay không cần kinh nghiệm liên hệ tuyển gấp nhân viên "
          "văn phòng chăm sóc khách hàng".split(),
    "id": "lowongan gaji tinggi kamboja tiket visa ditanggung tidak perlu pengalaman hubungi".split(),
}
SOURCES = ["jobsite-uk", "jobsite-vn", "tg-cn", "fb-th", "feed-id", "reddit-ph"]
PLACES = ["Sihanoukville", "Myawaddy", "Bavet", "Poipet", "Bangkok", "Phnom Penh"]
INDICATORS = ["high_salary", "travel_paid", "telegram_contact", "no_experience", "LOC-01"]


def post(i: int, rng: random.Random) -> Record:
    lang = rng.choice(list(WORDS))
    text = " ".join(rng.choice(WORDS[lang]) for _ in range(rng.randint(30, 120)))
    handle = f"@hr_{rng.randint(0, 2000)}"
    phone = f"+855{rng.randint(10_000_000, 10_002_000)}"
    place = rng.choice(PLACES)
    text += f" {handle} {phone} {place}"
    score = round(rng.random(), 4)
    day = 1 + i % 28
    return Record.from_capture(
        source_id=rng.choice(SOURCES), source_kind="jobboard", url=f"https://bench.example/{i}",
        text=text, title=" ".join(rng.choice(WORDS[lang]) for _ in range(6)),
        body_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
        fetched_at=f"2025-02-{day:02d}T{i % 24:02d}:00:00+00:00", partition=f"2025-02-{day:02d}",
        published_at=f"2025-01-{day:02d}", lang=lang, score=score, flagged=score >= 0.7,
        model_version="bench", stages={"score": "bench"},
        entities=[Entity("telegram", handle, 0, 1), Entity("phone", phone, 0, 1),
                  Entity("location", place, 0, 1)],
        indicators=[IndicatorHit(x, 0, 4, 0.5, "work") for x in rng.sample(INDICATORS, 2)],
    )


def posts(n: int, seed: int = 6) -> Iterator[Record]:
    rng = random.Random(seed)
    for i in range(n):
        yield post(i, rng)
