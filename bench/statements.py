"""A request's own database work, without the registry's code around it: the statements the
registry sends for one request, captured from the real app and replayed.

`capture` drives the real app in process (an ASGI call, no socket) and records, with
SQLAlchemy's engine events, every transaction the request ran: its connection's execution
options (SQLite's BEGIN, PostgreSQL's autocommit), its statements with their parameters, and how
it ended; on PostgreSQL also the statements the registry sends on the driver's own cursor,
past SQLAlchemy (`insert_many`). `replay` runs those transactions again on the same engine,
in the same order, each statement as the registry sent it: through SQLAlchemy Core
(`exec_driver_sql`: no ORM, no compilation) or on the driver's cursor, reading every row. What a
replay costs is what the request's database work costs on this stack, driver and pool included;
what the request costs beyond it is the registry's own Python (authentication, dependencies,
the ORM, answer models, middleware).

Only requests whose statements can run again unchanged are replayed (reads, and appends such
as the `revealed` event of a GET); a create's INSERTs name the rows its earlier statements
returned, so a replay of it would not be the same work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, event
from starlette.types import ASGIApp, Message


@dataclass(frozen=True)
class Statement:
    text: str
    parameters: Any
    many: bool
    on_driver_cursor: bool = False  # sent past SQLAlchemy, on the driver's own cursor


@dataclass
class Transaction:
    options: dict[str, Any]
    statements: list[Statement] = field(default_factory=list)
    committed: bool = False


@dataclass(frozen=True)
class CapturedRequest:
    body: bytes  # the app's answer (200: `capture` refuses any other)
    transactions: Sequence[Transaction]


class _Recorder:
    """Transactions in the order they began, per pooled connection while they run (one that
    goes back to the pool unfinished was rolled back by the pool)."""

    def __init__(self) -> None:
        self.transactions: list[Transaction] = []
        self._open: dict[int, Transaction] = {}
        self.in_sqlalchemy = False
        # Cleared once the capture is over: a connection keeps its recording cursor class until
        # its next checkin, and records nothing more.
        self.active = True

    def _transaction(self, connection: Connection) -> Transaction:
        key = id(connection.connection.dbapi_connection)
        if key not in self._open:
            self._open[key] = Transaction(dict(connection.get_execution_options()))
            self.transactions.append(self._open[key])
        return self._open[key]

    def begin(self, connection: Connection) -> None:
        self._transaction(connection)

    def statement(self, connection: Connection, _cursor, text, parameters, _context, many) -> None:
        self._transaction(connection).statements.append(Statement(text, parameters, many))
        self.in_sqlalchemy = True

    def statement_sent(self, *_arguments: Any) -> None:
        self.in_sqlalchemy = False

    def on_driver_cursor(self, dbapi_connection: Any, text: str, parameters: Any, *, many: bool) -> None:
        transaction = self._open.get(id(dbapi_connection))
        if transaction is None:
            raise RuntimeError("a statement on the driver's cursor outside a transaction")
        parameters = [tuple(row) for row in parameters] if many else tuple(parameters or ())
        transaction.statements.append(Statement(str(text), parameters, many, on_driver_cursor=True))

    def commit(self, connection: Connection) -> None:
        self._end(connection, committed=True)

    def rollback(self, connection: Connection) -> None:
        self._end(connection, committed=False)

    def checkin(self, dbapi_connection: Any, _record: Any) -> None:
        self._open.pop(id(dbapi_connection), None)

    def _end(self, connection: Connection, *, committed: bool) -> None:
        transaction = self._open.pop(id(connection.connection.dbapi_connection), None)
        if transaction is not None:
            transaction.committed = committed


def _driver_cursor_recorder(recorder: _Recorder) -> Callable[[Any, Any, Any], None]:
    """PostgreSQL: a pool checkout listener giving the psycopg connection a cursor class that
    records what is sent on it past SQLAlchemy."""

    def recording() -> bool:
        return recorder.active and not recorder.in_sqlalchemy

    class RecordingCursor(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:  # type: ignore[override]
            if recording():
                recorder.on_driver_cursor(self.connection, query, params, many=False)
            return super().execute(query, params, **options)

        def executemany(self, query: Any, params_seq: Any, **options: Any) -> None:  # type: ignore[override]
            if recording():
                params_seq = list(params_seq)
                recorder.on_driver_cursor(self.connection, query, params_seq, many=True)
            super().executemany(query, params_seq, **options)

        def copy(self, *arguments: Any, **options: Any) -> Any:  # type: ignore[override]
            if recording():
                raise RuntimeError("COPY is not replayed: capture a request that sends fewer rows")
            return super().copy(*arguments, **options)

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.cursor_factory = RecordingCursor

    return checkout


def _plain_cursors(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.cursor_factory = psycopg.Cursor


@contextmanager
def _recording(engine: Engine) -> Iterator[_Recorder]:
    recorder = _Recorder()
    listeners = [
        ("begin", recorder.begin),
        ("before_cursor_execute", recorder.statement),
        ("after_cursor_execute", recorder.statement_sent),
        ("handle_error", recorder.statement_sent),
        ("commit", recorder.commit),
        ("rollback", recorder.rollback),
        ("checkin", recorder.checkin),
    ]
    if engine.dialect.name == "postgresql":
        listeners += [("checkout", _driver_cursor_recorder(recorder)), ("checkin", _plain_cursors)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield recorder
    finally:
        recorder.active = False
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def _call_get(app: ASGIApp, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def _get(app: ASGIApp, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    # In a thread of its own: an app factory may be called while the server's loop runs.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, _call_get(app, path, headers)).result()


def capture(app: ASGIApp, engine: Engine, path: str, authorization: str) -> CapturedRequest:
    """The transactions of `GET path` as the app answers it when it comes again (a password is
    remembered after its first use: the first request warms up, the second is recorded)."""
    headers = {"Authorization": authorization}
    _get(app, path, headers)
    with _recording(engine) as recorder:
        status, body = _get(app, path, headers)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    return CapturedRequest(body, recorder.transactions)


def replay(engine: Engine, transactions: Sequence[Transaction]) -> None:
    for transaction in transactions:
        with engine.connect() as connection:
            # Set before the first statement begins the transaction (SQLite's BEGIN reads them).
            connection.execution_options(**transaction.options)
            for statement in transaction.statements:
                if statement.on_driver_cursor:
                    _on_driver_cursor(connection, statement)
                    continue
                result = connection.exec_driver_sql(statement.text, statement.parameters)
                if result.returns_rows:
                    result.fetchall()
            if transaction.committed:
                connection.commit()
            else:
                connection.rollback()


def _on_driver_cursor(connection: Connection, statement: Statement) -> None:
    with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        if statement.many:
            cursor.executemany(statement.text, statement.parameters)
        else:
            cursor.execute(statement.text, statement.parameters)
