"""Both cores for the analysis: a function over chunks of items in forked worker processes,
results in the items' order.

Workers are forked (``multiprocessing`` "fork" context), so whatever the caller loaded before
(the model, the indicator catalogue, the language detector) is in their memory from the
start; at most two chunks per worker are in flight, so a long input is never held whole.
Used by the process stage (:func:`pipeline.run.enrich`) and ``lurewatch score``.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def ordered_map(fn: Callable[[list[T]], list[R]], items: Iterable[T], *, workers: int, chunk: int,
                min_items: int) -> Iterator[R]:
    """``fn`` over chunks of ``chunk`` items, flattened, in order. In ``workers`` forked
    processes (``fn`` must pickle: a module-level function or a ``functools.partial`` of one),
    except with one worker, fewer than ``min_items`` items (starting workers would cost more
    than it saves), or in a daemonic process, which may not start others (Celery's prefork
    pool): then in this process, chunk by chunk."""
    it = iter(items)
    head = list(islice(it, min_items))
    rest = chain(head, it)
    if workers <= 1 or len(head) < min_items or mp.current_process().daemon:
        if workers > 1 and len(head) >= min_items:
            log.info("analysis in one process: a daemonic process cannot start workers")
        for part in chunked(rest, chunk):
            yield from fn(part)
        return
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        pending: deque[Future[list[R]]] = deque()
        for part in chunked(rest, chunk):
            pending.append(pool.submit(fn, part))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
