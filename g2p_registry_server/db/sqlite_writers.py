"""One SQLite writer at a time, handed on without sleeping.

SQLite lets one transaction write at a time. A writer that finds the lock taken is put to sleep
by SQLite's busy handler for 1, 2, 5, 10 ... up to 100 ms between tries, whether the lock is
freed after a millisecond or not: under concurrent writes, requests slept far longer than they
worked, and 4 clients got less than 1 (p99 of half a second).

So the server's writers queue before `BEGIN IMMEDIATE`: threads of one worker on a lock, worker
processes on an advisory lock (`flock`) of a file beside the database. Both wake the next writer
the moment the last one commits or rolls back. SQLite's own lock stays the guard: other programs
(the CLI, a migration) that do not queue here still wait on the busy timeout, as before.

Checkpoints (copying the write-ahead log back into the database, with its fsyncs) are run by
the writer that found the log grown past `CHECKPOINT_BYTES`, after it has handed the lock on:
SQLite's automatic checkpoint (turned off on these connections) runs inside COMMIT, so every
writer queued behind the committing one waited for the disk too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

# Keyed by process too: a forked child must open the file again, since a lock taken through
# an inherited descriptor would not exclude the parent.
_process_locks: dict[tuple[int, str], _WriterLock] = {}
_process_locks_guard = threading.Lock()

# SQLite's own default: 1000 pages of 4 KiB.
CHECKPOINT_BYTES = 1000 * 4096


class _WriterLock:
    """The writer lock of one database file in this process: a thread lock, and the file lock
    held while a thread of the process holds it. A transaction may begin in one thread and end
    in another (the request's session is finished by another pool thread), so neither is tied
    to a thread."""

    def __init__(self, path: str) -> None:
        self._threads = threading.Lock()
        self._file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self, timeout: float) -> None:
        # A writer that waits longer than SQLite's busy timeout fails as SQLite would.
        if not self._threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


def _writer_lock(database: str) -> _WriterLock:
    path = str(Path(database).resolve()) + "-writers.lock"
    key = (os.getpid(), path)
    with _process_locks_guard:
        lock = _process_locks.get(key)
        if lock is None:
            lock = _process_locks[key] = _WriterLock(path)
        return lock


class QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions queue on the database's writer lock:
    `begin_write()` waits for the lock then begins; COMMIT or ROLLBACK frees it."""

    def __init__(self, database: str | os.PathLike[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._timeout = float(kwargs.get("timeout", 5.0))
        name = os.fspath(database)
        in_memory = name == ":memory:" or name.startswith("file:") or not name
        self._writer_lock = None if in_memory else _writer_lock(name)
        self._log = None if in_memory else name + "-wal"
        self._holding = False
        if self._log is not None:
            # The log's size tells when to checkpoint: SQLite reuses the file from its start
            # after a complete checkpoint, and truncates it then only with a size limit (0:
            # down to the first commit's pages), so that the size counts what is not copied yet.
            self.execute("PRAGMA wal_autocheckpoint=0")
            self.execute("PRAGMA journal_size_limit=0")

    def begin_write(self) -> None:
        if self._writer_lock is not None and not self._holding:
            self._writer_lock.acquire(self._timeout)
            self._holding = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._free_writer_lock()
            raise

    def _free_writer_lock(self) -> None:
        if self._holding and self._writer_lock is not None:
            self._holding = False
            self._writer_lock.release()

    def commit(self) -> None:
        wrote = self._holding
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._free_writer_lock()
        if wrote:
            self._checkpoint_if_grown()

    def _checkpoint_if_grown(self) -> None:
        try:
            grown = self._log is not None and os.stat(self._log).st_size > CHECKPOINT_BYTES
        except FileNotFoundError:
            return
        if grown:
            # PASSIVE: copies what no reader still needs, waits for nobody; SQLite restarts the
            # log from its beginning once all of it has been copied. The commit has succeeded:
            # a checkpoint that cannot run now is left to the next writer, never an error.
            with contextlib.suppress(sqlite3.OperationalError):
                self.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._free_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._free_writer_lock()
