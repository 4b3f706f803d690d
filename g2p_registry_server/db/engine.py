"""Engine and session factories for SQLite (the default) and PostgreSQL (psycopg 3).

SQLite needs care to behave like a real transactional database under several workers:
pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself (the
workaround documented by SQLAlchemy), write transactions start with BEGIN IMMEDIATE so that two
writers never fail with SQLITE_BUSY when one upgrades its read lock, queued before it
(`sqlite_writers`) so that the next writer starts the moment the last one ends, and WAL lets
readers proceed while a writer works.
"""

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .sqlite_writers import QueuedWriterConnection

BUSY_TIMEOUT_MS = 30_000
# Execution option read by the BEGIN hook: "IMMEDIATE" takes SQLite's write lock at BEGIN.
SQLITE_BEGIN_OPTION = "g2p_sqlite_begin"


def normalize_database_url(url: str) -> str:
    """`postgresql://` without a driver means psycopg 3, the only PostgreSQL driver shipped."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalize_database_url(url)
    backend = make_url(url).get_backend_name()
    # Parameters never appear in error messages: they may hold personal data.
    options: dict[str, Any] = {"hide_parameters": True}
    if backend == "sqlite":
        options["connect_args"] = {
            "check_same_thread": False,
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "factory": QueuedWriterConnection,
        }
    else:
        options["pool_pre_ping"] = True
    engine = create_engine(url, **options)
    if backend == "sqlite":
        _configure_sqlite(engine)
    return engine


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
        if connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "") == "IMMEDIATE":
            # Queues behind the other writers of this database, then BEGIN IMMEDIATE.
            connection.connection.dbapi_connection.begin_write()
        else:
            connection.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions for reading, or for writing (on SQLite these take the write lock at BEGIN)."""
    bind = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"}) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)
