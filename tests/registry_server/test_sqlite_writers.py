"""SQLite writers queue on the database's lock file (`db/sqlite_writers.py`): the next writer
starts the moment the last one ends, threads and processes alike, forked ones included."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from g2p_registry_server.db.sqlite_writers import CHECKPOINT_FRAMES, QueuedWriterConnection, _writer_lock

HOLD_SECONDS = 0.3


def _write(path: str, value: int, started: list[float]) -> None:
    connection = QueuedWriterConnection(path, timeout=10, isolation_level=None)
    try:
        connection.begin_write()
        started.append(time.monotonic())
        connection.execute("INSERT INTO t VALUES (?)", (value,))
        time.sleep(HOLD_SECONDS)
        connection.commit()
    finally:
        connection.close()


def _database(tmp_path) -> str:
    path = str(tmp_path / "writers.db")
    connection = QueuedWriterConnection(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (value INTEGER)")
    connection.close()
    return path


def test_threads_write_one_after_the_other_and_all_commit(tmp_path):
    path = _database(tmp_path)
    started: list[float] = []
    threads = [threading.Thread(target=_write, args=(path, n, started)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gaps = [later - earlier for earlier, later in zip(sorted(started), sorted(started)[1:], strict=False)]
    assert all(gap >= HOLD_SECONDS * 0.9 for gap in gaps), gaps  # never two writers at once
    connection = QueuedWriterConnection(path, isolation_level=None)
    assert connection.execute("SELECT count(*) FROM t").fetchone() == (3,)
    connection.close()


def _probe_lock_file(path: str, answer) -> None:
    import fcntl

    lock = _writer_lock(path)
    try:
        fcntl.flock(lock._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        answer.put("excluded")
    else:
        answer.put("not excluded")


def test_a_forked_process_is_excluded_while_its_parent_writes(tmp_path):
    path = _database(tmp_path)
    connection = QueuedWriterConnection(path, timeout=10, isolation_level=None)
    connection.begin_write()  # the parent holds the writers' lock
    try:
        context = multiprocessing.get_context("fork")
        answer = context.Queue()
        child = context.Process(target=_probe_lock_file, args=(path, answer))
        child.start()
        child.join(10)
        assert answer.get(timeout=5) == "excluded"
    finally:
        connection.rollback()
        connection.close()


def test_the_log_is_checkpointed_by_writers_after_they_hand_the_lock_on(tmp_path):
    """SQLite's automatic checkpoint is off on these connections; the writer that finds more than
    CHECKPOINT_FRAMES pages in the log copies them back, so the log is reused instead of growing;
    and only then: a checkpoint per commit would make every write pay for its fsyncs."""
    threshold = CHECKPOINT_FRAMES * 4096
    path = _database(tmp_path)
    connection = QueuedWriterConnection(path, isolation_level=None)
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    row = "x" * 3000
    written = commits = 0
    while written < 4 * threshold:
        connection.begin_write()
        connection.executemany("INSERT INTO t VALUES (?)", [(row,)] * 20)
        connection.commit()
        written += 20 * len(row)
        commits += 1
    wal = Path(path + "-wal").stat().st_size
    connection.close()
    # Without checkpoints the log would hold every page written (about 4x the threshold).
    assert wal < 2 * threshold, wal
    # One checkpoint each time the log has grown by the threshold again (a row fills most of a
    # page, so the log takes about 1.4 bytes per byte written: 5 or 6 here), not one per commit
    # once it first got there (229 of 274 commits did).
    checkpoints = sum("wal_checkpoint" in statement for statement in statements)
    assert 2 <= checkpoints <= 2 * (written // threshold) + 1, (checkpoints, commits)
