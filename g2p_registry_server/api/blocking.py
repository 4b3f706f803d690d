"""Where a registry request's blocking work (database statements, password hashing) runs.

A worker that works on several requests at once runs that work in the thread pool, so that its
event loop goes on reading, answering and waiting on the others meanwhile. A worker that works
on one request at a time (`G2P_REQUESTS_PER_WORKER=1`) has nothing for its loop to do meanwhile,
and a trip to a pool thread and back costs about 0.2 ms of CPU on a 2-core machine (the futex
wake-ups and GIL hand-overs of two threads; `bench.concurrency` shows it): there the work runs
in the event loop's own thread, and concurrency comes from worker processes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

_Result = TypeVar("_Result")

_in_event_loop: ContextVar[bool] = ContextVar("g2p_blocking_in_event_loop", default=False)


@contextlib.contextmanager
def in_event_loop() -> Iterator[None]:
    """While the request runs in this context, its blocking work runs in the event loop's thread."""
    token = _in_event_loop.set(True)
    try:
        yield
    finally:
        _in_event_loop.reset(token)


async def run_blocking(function: Callable[..., _Result], *args: Any) -> _Result:
    """`function(*args)`: in a pool thread, or in this thread inside `in_event_loop`."""
    if _in_event_loop.get():
        return function(*args)
    return await run_in_threadpool(function, *args)
