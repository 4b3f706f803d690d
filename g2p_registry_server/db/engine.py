"""Engine and session factories for SQLite (the default) and PostgreSQL (psycopg 3).

SQLite needs care to behave like a real transactional database under several workers:
pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself (the
workaround documented by SQLAlchemy), write transactions start with BEGIN IMMEDIATE so that two
writers never fail with SQLITE_BUSY when one upgrades its read lock, queued before it
(`sqlite_writers`) so that the next writer starts the moment the last one ends, and WAL lets
readers proceed while a writer works.
"""

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from .sqlite_writers import QueuedWriterConnection

if TYPE_CHECKING:
    from ..config import Settings

BUSY_TIMEOUT_MS = 30_000
IDLE_BEFORE_PING_SECONDS = 5.0
# Execution option read by the BEGIN hook: "IMMEDIATE" takes SQLite's write lock at BEGIN;
# "NONE" emits no BEGIN (each statement alone, `single_statement_reads`).
SQLITE_BEGIN_OPTION = "g2p_sqlite_begin"
# Key of the settings in a session's `info`: what the server or command runs with.
SETTINGS_KEY = "g2p_settings"


def normalize_database_url(url: str) -> str:
    """`postgresql://` without a driver means psycopg 3, the only PostgreSQL driver shipped."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, requests_at_once: int | None = None) -> Engine:
    """`requests_at_once`: for a server worker, the requests it works on at once; each holds one
    connection, and one more for a moment while its credentials are checked, so the pool keeps
    that many and lends as many more."""
    url = normalize_database_url(url)
    backend = make_url(url).get_backend_name()
    # Parameters never appear in error messages: they may hold personal data.
    options: dict[str, Any] = {"hide_parameters": True}
    if requests_at_once is not None:
        options |= {"pool_size": requests_at_once, "max_overflow": requests_at_once}
    if backend == "sqlite":
        options["connect_args"] = {
            "check_same_thread": False,
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "factory": QueuedWriterConnection,
        }
    engine = create_engine(url, **options)
    if backend == "sqlite":
        _configure_sqlite(engine)
    else:
        _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it has been idle a while.

    A connection the database closed meanwhile (a restart, a failover, an idle timeout) would
    fail the request that takes it. SQLAlchemy's `pool_pre_ping` checks every connection on every
    checkout: two round trips per request, a quarter of a GET on this server. Connections in
    steady use were used milliseconds ago, so only one idle for `IDLE_BEFORE_PING_SECONDS` is
    pinged; a dead one is replaced before the request sees it.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("idle connection closed by the database") from error
            raise


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" hook below emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # PostgreSQL's LIKE is case-sensitive, and so is Odoo's "like": make SQLite agree.
            cursor.execute("PRAGMA case_sensitive_like=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        begin = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "")
        if begin == "IMMEDIATE":
            # Queues behind the other writers of this database, then BEGIN IMMEDIATE.
            connection.connection.dbapi_connection.begin_write()
        elif begin != "NONE":
            connection.connection.dbapi_connection.begin_read()


def single_statement_reads(engine: Engine) -> Engine:
    """The engine for reads of one statement each (checking credentials on every request),
    outside a transaction: on PostgreSQL in autocommit (one round trip, no BEGIN and ROLLBACK),
    on SQLite without BEGIN (the statement reads one snapshot on its own)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "NONE"})


def make_sessionmaker(
    engine: Engine, *, write: bool = False, settings: "Settings | None" = None
) -> sessionmaker[Session]:
    """Sessions for reading, or for writing (on SQLite these take the write lock at BEGIN).

    ``settings``: what the server or command runs with, for the use cases whose behaviour a
    setting chooses (`session_settings`)."""
    bind = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"}) if write else engine
    info = {SETTINGS_KEY: settings} if settings is not None else {}
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True, info=info)


def session_settings(session: Session) -> "Settings | None":
    """The settings the session's server or command runs with; None for a session made without."""
    return session.info.get(SETTINGS_KEY)
