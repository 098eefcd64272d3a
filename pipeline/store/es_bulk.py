"""Bulk writes to Elasticsearch with retries, backoff and per-item outcomes.

:func:`send` passes one chunk of actions through ``elasticsearch.helpers.streaming_bulk``,
which retries items (or a whole request) answered 429 or 5xx with exponential backoff. A
connection failure or timeout (no answer at all) is retried here with the same backoff,
re-sending only the actions not yet acknowledged; when retries run out :class:`Unavailable`
is raised with the unsent ids. Items Elasticsearch rejects for good (mapping conflict, too
large, …) come back as :class:`Failure` with a readable reason. Updates by id are idempotent,
so re-sending an action whose answer was lost changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import elasticsearch
from elasticsearch import Elasticsearch, helpers

#: Answers worth retrying: too many requests, server errors, gateway/availability errors.
RETRY_STATUS = (429, 500, 502, 503, 504)
_T = TypeVar("_T")


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` attempts after the first, waiting ``initial_backoff`` × 2ⁿ seconds (at
    most ``max_backoff``); documents over ``max_doc_bytes`` (JSON) are not sent."""

    max_retries: int = 5
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    max_doc_bytes: int = 5_000_000
    chunk_size: int = 500
    #: How long a bulk waits for an unavailable shard before answering 503 (server default 1m).
    bulk_timeout: str | None = None

    def delays(self) -> Iterator[float]:
        for n in range(self.max_retries):
            yield min(self.max_backoff, self.initial_backoff * 2**n)


@dataclass(frozen=True)
class Failure:
    id: str
    status: int | None
    reason: str


class Unavailable(Exception):  # noqa: N818 (a condition, not a programmer error)
    """Elasticsearch did not answer after every retry; ``ids`` were not acknowledged."""

    def __init__(self, reason: str, ids: list[str], ok: list[dict[str, Any]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ids = ids
        self.ok = ok or []


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, elasticsearch.ApiError):
        return exc.status_code in RETRY_STATUS
    return isinstance(exc, elasticsearch.ConnectionError | elasticsearch.ConnectionTimeout
                      | elasticsearch.TransportError)


def call(fn: Callable[[], _T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep,
         ids: list[str] | None = None) -> _T:
    """``fn()`` retried on connection errors, timeouts, 429 and 5xx; raises Unavailable."""
    delays = policy.delays()
    while True:
        try:
            return fn()
        except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
            if not _retryable(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise Unavailable(f"{type(exc).__name__}: {exc}", ids or []) from exc
            sleep(delay)


def reason(item: dict[str, Any]) -> str:
    """A one-line reason from a bulk item error."""
    err = item.get("error")
    if isinstance(err, dict):
        text = f"{err.get('type')}: {err.get('reason')}"
        cause = err.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            text += f" (caused by {cause.get('type')}: {cause['reason']})"
        return text
    return str(err or f"status {item.get('status')}")


def _as_is(action: tuple[dict[str, Any], bytes]) -> tuple[dict[str, Any], bytes]:
    return action


def send(
    es: Elasticsearch,
    actions: list[tuple[dict[str, Any], bytes]],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[dict[str, Any]], list[Failure]]:
    """Send bulk ``actions``: (header such as ``{"create": {"_index", "_id"}}``, JSON body
    bytes) pairs, one per id; returns (acknowledged bulk items, failures). Raises Unavailable
    when the node stops answering."""
    pending = {next(iter(header.values()))["_id"]: (header, body) for header, body in actions}
    ok: list[dict[str, Any]] = []
    failures: list[Failure] = []
    delays = policy.delays()
    client = es.options(max_retries=0)
    while pending:
        try:
            for success, info in helpers.streaming_bulk(
                client, list(pending.values()), chunk_size=len(pending), expand_action_callback=_as_is,
                raise_on_error=False, raise_on_exception=False,
                max_retries=policy.max_retries, initial_backoff=policy.initial_backoff,
                max_backoff=policy.max_backoff, retry_on_status=RETRY_STATUS, yield_ok=True,
                **({"timeout": policy.bulk_timeout} if policy.bulk_timeout else {}),
            ):
                item = next(iter(info.values()))
                pending.pop(item["_id"], None)
                if success:
                    ok.append(item)
                else:
                    failures.append(Failure(item["_id"], item.get("status"), reason(item)))
        except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
            if not _retryable(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise Unavailable(f"{type(exc).__name__}: {exc}", list(pending), ok) from exc
            sleep(delay)
    return ok, failures
