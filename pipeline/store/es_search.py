"""Search on Elasticsearch: query building, search with facets and highlights, scan (point in
time + search_after) and pivots.

Word terms → ``multi_match`` (cross_fields, operator and) over title, text and ``folded``;
substring terms (CJK, Thai…) → ``match_phrase`` (CJK is one token per ideograph) or an
escaped ``wildcard`` (a Thai run is one token). User text never reaches a parser with
syntax (no ``query_string``), so hostile input cannot make a request fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.records import Record
from pipeline.store.base import Hit, SearchResult
from pipeline.store.derived import entity_key
from pipeline.store.es_docs import from_es
from pipeline.store.query import (
    FACET_SIZE,
    check_facets,
    facet_key,
    fold_latin,
    normalize_filters,
    parse_query,
    parse_sort,
)

#: Filter name → indexed field where they differ.
FIELD = {"country": "countries"}
_DATE_FIELDS = ("fetched_at", "published_at")
MAX_WINDOW = 10_000
SCAN_PAGE = 1000


def _wildcard_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _substring(sub: str) -> dict[str, Any]:
    should: list[dict[str, Any]] = []
    for fld in ("title", "text"):
        should.append({"match_phrase": {fld: sub}})
        should.append({"wildcard": {fld: {"value": f"*{_wildcard_escape(sub)}*",
                                          "case_insensitive": True}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def highlight_query(query: str | None) -> dict[str, Any]:
    """Any query term, with and without diacritics, over title and text."""
    terms = parse_query(query)
    words = " ".join(terms.words)
    should: list[dict[str, Any]] = [_substring(sub) for sub in terms.substrings]
    for q in sorted({words, fold_latin(words)} - {""}):
        should.append({"multi_match": {"query": q, "fields": ["title", "text"]}})
    return {"bool": {"should": should}}


def build_query(query: str | None, filters: dict[str, Any] | None) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    terms = parse_query(query)
    if terms.words:
        must.append({"multi_match": {
            "query": fold_latin(" ".join(terms.words)),
            "fields": ["title", "text", "folded"],
            "type": "cross_fields", "operator": "and",
        }})
    must.extend(_substring(sub) for sub in terms.substrings)
    flt_spec = normalize_filters(filters)
    flt: list[dict[str, Any]] = []
    for name, vals in flt_spec.values.items():
        fld = FIELD.get(name, name)
        present = [v for v in vals if v is not None]
        alts: list[dict[str, Any]] = []
        if present:
            alts.append({"terms": {fld: present}})
        if None in vals:
            alts.append({"bool": {"must_not": {"exists": {"field": fld}}}})
        flt.append(alts[0] if len(alts) == 1 else
                   {"bool": {"should": alts, "minimum_should_match": 1}})
    for fld, (low, high) in flt_spec.ranges.items():
        rng: dict[str, Any] = {}
        if low is not None:
            rng["gte"] = low
        if high is not None:
            rng["lte"] = high
        if fld in _DATE_FIELDS:
            rng["format"] = "epoch_millis"
            rng = {k: int(v) if k in ("gte", "lte") else v for k, v in rng.items()}
        flt.append({"range": {fld: rng}})
    if not must and not flt:
        return {"match_all": {}}
    return {"bool": {"must": must, "filter": flt}}


def _sort(sort: str) -> list[dict[str, Any]]:
    field, desc = parse_sort(sort)
    return [{field: {"order": "desc" if desc else "asc", "missing": "_last"}}, {"id": "asc"}]


def _aggs(names: list[str]) -> dict[str, Any]:
    return {name: {"terms": {"field": FIELD.get(name, name), "size": FACET_SIZE,
                             "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for name in names}


def _hit(h: dict[str, Any]) -> Hit:
    hl = h.get("highlight", {})
    frags = [f.replace("</mark><mark>", "")  # CJK phrases: one mark, not one per char
             for f in hl.get("title", []) + hl.get("text", [])]
    return Hit(from_es(h["_source"]), frags)


def search(
    es: Elasticsearch, index: str, query: str | None, *, filters: dict[str, Any] | None,
    facets: Iterable[str], sort: str, size: int, offset: int,
) -> SearchResult:
    facet_names = check_facets(facets)
    if offset + size > MAX_WINDOW:
        raise ValueError(f"offset + size must be at most {MAX_WINDOW}; use scan() to read more")
    body: dict[str, Any] = {
        "query": build_query(query, filters),
        "sort": _sort(sort),
        "from": offset,
        "size": size,
        "track_total_hits": True,
        "highlight": {
            "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
            "require_field_match": True,
            "highlight_query": highlight_query(query),
            "fields": {"title": {"number_of_fragments": 0},
                       "text": {"fragment_size": 150, "number_of_fragments": 3}},
        },
    }
    if facet_names:
        body["aggs"] = _aggs(facet_names)
    resp = es.search(index=index, **body)
    facet_counts = {
        name: {facet_key(b.get("key_as_string", b["key"])): b["doc_count"]
               for b in resp["aggregations"][name]["buckets"]}
        for name in facet_names
    }
    if "triage.label" in facet_counts:  # byte keys come back as numbers
        facet_counts["triage.label"] = {str(int(float(k))): n
                                        for k, n in facet_counts["triage.label"].items()}
    return SearchResult(total=int(resp["hits"]["total"]["value"]),
                        hits=[_hit(h) for h in resp["hits"]["hits"]], facets=facet_counts)


def scan(
    es: Elasticsearch, index: str, query: str | None, *, filters: dict[str, Any] | None,
    sort: str, page: int = SCAN_PAGE, keep_alive: str = "2m",
) -> Iterator[Record]:
    """Every match, page by page, over a point in time (a consistent view)."""
    q = build_query(query, filters)
    pit = es.open_point_in_time(index=index, keep_alive=keep_alive)["id"]
    try:
        after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {"search_after": after} if after is not None else {}
            resp = es.search(query=q, sort=_sort(sort), size=page, track_total_hits=False,
                             pit={"id": pit, "keep_alive": keep_alive}, **kwargs)
            pit = resp.get("pit_id", pit)
            hits = resp["hits"]["hits"]
            for h in hits:
                yield from_es(h["_source"])
            if len(hits) < page:
                return
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)


def pivot_filter(entity_value: str, entity_type: str | None) -> dict[str, Any]:
    if entity_type:
        return {"term": {"entity_keys": entity_key(entity_type, entity_value)}}
    return {"term": {"entities.value": entity_value}}


def pivot(
    es: Elasticsearch, index: str, entity_value: str, entity_type: str | None, size: int,
) -> SearchResult:
    resp = es.search(
        index=index, query={"bool": {"filter": [pivot_filter(entity_value, entity_type)]}},
        sort=[{"fetched_at": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        size=min(size, MAX_WINDOW), track_total_hits=True, aggs=_aggs(["source_id", "country"]),
    )
    facets = {name: {facet_key(b["key"]): b["doc_count"]
                     for b in resp["aggregations"][name]["buckets"]}
              for name in ("source_id", "country")}
    return SearchResult(total=int(resp["hits"]["total"]["value"]),
                        hits=[Hit(from_es(h["_source"])) for h in resp["hits"]["hits"]],
                        facets=facets)
