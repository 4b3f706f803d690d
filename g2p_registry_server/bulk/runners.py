"""Running the batches of an import: in this process, or in worker processes.

Each batch is one transaction through `BulkIndividualProcessing`. With several workers, each
parses and validates its batch (most of the work, and no database needed) while another writes,
and the results come back in file order, so that checkpoints still mark a committed prefix of
the file. On SQLite the writes themselves still take turns on the database's write lock.
"""

import contextlib
import gc
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from g2p_bank_server.rules.bulk import ItemResult

from ..config import Settings
from ..db import make_engine, make_sessionmaker
from ..origin import WriteOrigin, attach_origin
from .files import Record, parse_json_line
from .processing import BulkIndividualProcessing

ATTEMPTS = 3
BatchResults = tuple[list[Record], list[ItemResult]]


def readable(batch: Sequence[Record]) -> list[Any]:
    """What a worker gets of a batch: each readable record's JSON line, or its item (CSV)."""
    return [record.item if record.raw is None else record.raw for record in batch if record.error is None]


@contextlib.contextmanager
def collected_once() -> Iterator[None]:
    """The cyclic garbage collector paused while a batch runs, and run once after it.

    A batch keeps every one of its items alive until it commits (validated requests, rows,
    ORM objects: tens of thousands of objects), and each automatic collection on the way walks
    all of them again: about half of the validation time. Paused, a batch's cyclic garbage
    waits for the collection after the batch, so memory still stays bounded by the batch size.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def import_payloads(
    session_factory: sessionmaker[Session], id_type: str, payloads: Sequence[Any], origin: WriteOrigin
) -> tuple[dict[int, str], list[ItemResult]]:
    """The batch's JSON lines parsed, then its items imported: why each unreadable payload
    (by position) is unreadable, and the results of the others."""
    with collected_once():
        items, unreadable = [], {}
        for position, payload in enumerate(payloads):
            if isinstance(payload, bytes):
                payload, error = parse_json_line(payload)
                if error is not None:
                    unreadable[position] = error
                    continue
            items.append(payload)
        return unreadable, import_batch(session_factory, id_type, items, origin)


def with_unreadable(batch: list[Record], unreadable: dict[int, str]) -> list[Record]:
    """The batch with the records its worker could not parse marked as unreadable."""
    if not unreadable:
        return batch
    marked, position = [], 0
    for record in batch:
        if record.error is None:
            error = unreadable.get(position)
            position += 1
            if error is not None:
                record = replace(record, raw=None, error=error)
        marked.append(record)
    return marked


def import_batch(
    session_factory: sessionmaker[Session], id_type: str, raw_items: Sequence[Any], origin: WriteOrigin
) -> list[ItemResult]:
    """One transaction, its writes attributed to ``origin``; retried when it lost a race with a
    concurrent writer (a value inserted meanwhile, a deadlock): the retry sees the other
    writer's rows and updates them instead."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with session_factory() as session, session.begin():
                attach_origin(session, origin)
                # The command line: the operator acts with every right.
                return BulkIndividualProcessing(session, id_type=id_type, scopes=None).import_items(raw_items)
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def run_here(
    settings: Settings, id_type: str, batches: Iterable[list[Record]], origin: WriteOrigin
) -> Iterator[BatchResults]:
    engine = make_engine(settings.database_url)
    try:
        factory = make_sessionmaker(engine, write=True, settings=settings)
        for batch in batches:
            unreadable, results = import_payloads(factory, id_type, readable(batch), origin)
            yield with_unreadable(batch, unreadable), results
    finally:
        engine.dispose()


# State of a worker process, set once by its initializer.
_worker: dict[str, Any] = {}


def _start_worker(settings: Settings, id_type: str, origin: WriteOrigin) -> None:
    # A forked worker must not use the parent's connections: it opens its own.
    _worker["factory"] = make_sessionmaker(make_engine(settings.database_url), write=True, settings=settings)
    _worker["id_type"] = id_type
    _worker["origin"] = origin


def _worker_batch(payloads: list[Any]) -> tuple[dict[int, str], list[ItemResult]]:
    return import_payloads(_worker["factory"], _worker["id_type"], payloads, _worker["origin"])


def run_in_workers(
    settings: Settings, id_type: str, batches: Iterable[list[Record]], jobs: int, origin: WriteOrigin
) -> Iterator[BatchResults]:
    # fork: the workers inherit the imported modules and the active extendable registry.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(settings, id_type, origin),
    ) as pool:
        # A bounded number of batches in flight keeps memory flat however long the file is.
        pending: deque[tuple[list[Record], Future]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_worker_batch, readable(batch))))
            if len(pending) > jobs:
                done, future = pending.popleft()
                yield _finished(done, future)
        while pending:
            done, future = pending.popleft()
            yield _finished(done, future)


def _finished(batch: list[Record], future: Future) -> BatchResults:
    unreadable, results = future.result()
    return with_unreadable(batch, unreadable), results


def run_batches(
    settings: Settings, id_type: str, batches: Iterable[list[Record]], jobs: int, origin: WriteOrigin
) -> Iterator[BatchResults]:
    if jobs <= 1:
        return run_here(settings, id_type, batches, origin)
    return run_in_workers(settings, id_type, batches, jobs, origin)
