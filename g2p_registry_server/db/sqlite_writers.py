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
the writer that finds more than `CHECKPOINT_FRAMES` pages in the log, after it has handed the
lock on: SQLite's automatic checkpoint (turned off on these connections) runs inside COMMIT, so
every writer queued behind the committing one waited for the disk too. The log's page count is
read where SQLite keeps it, the header of the shared-memory index beside the database (`-shm`,
mxFrame): the log file's size does not tell, since SQLite writes it again from its start after a
complete checkpoint without shrinking it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import struct
import threading
from pathlib import Path
from typing import Any

# Keyed by process too: a forked child must open the file again, since a lock taken through
# an inherited descriptor would not exclude the parent.
_process_locks: dict[tuple[int, str], _WriterLock] = {}
_process_locks_guard = threading.Lock()

# SQLite's own default: 1000 pages.
CHECKPOINT_FRAMES = 1000
# Where the WAL index header keeps mxFrame, the last valid frame of the log (native byte order):
# https://www.sqlite.org/walformat.html (iVersion, unused, iChange, isInit, bigEndCksum, szPage).
_MX_FRAME = struct.Struct("=I")
_MX_FRAME_OFFSET = 16


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
        self._index = None if in_memory else name + "-shm"
        self._index_file: int | None = None
        self._holding = False
        if self._index is not None:
            self.execute("PRAGMA wal_autocheckpoint=0")

    def begin_read(self) -> None:
        """A read transaction (deferred: no lock until the first read), sent to SQLite directly:
        through SQLAlchemy's statement execution, a BEGIN cost a twentieth of a GET."""
        self.execute("BEGIN")

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

    def _frames_in_log(self) -> int:
        """The pages the log holds that a checkpoint has not reset yet (0 when there is no log)."""
        if self._index is None:
            return 0
        try:
            if self._index_file is None:
                self._index_file = os.open(self._index, os.O_RDONLY)
            header = os.pread(self._index_file, _MX_FRAME.size, _MX_FRAME_OFFSET)
        except FileNotFoundError:
            return 0
        return _MX_FRAME.unpack(header)[0] if len(header) == _MX_FRAME.size else 0

    def _checkpoint_if_grown(self) -> None:
        if self._frames_in_log() > CHECKPOINT_FRAMES:
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
            if self._index_file is not None:
                os.close(self._index_file)
                self._index_file = None
