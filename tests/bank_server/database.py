"""Direct reads of a server's database, for what HTTP does not show: how many banks exist,
archived accounts, and whether a refused request wrote anything."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Connection, Engine, create_engine, text

from g2p_bank_server.rules import bank_name_key
from g2p_registry_server.db import normalize_database_url

COUNTED_TABLES = ("registrant", "registrant_id", "group_membership", "bank", "bank_account")


class Database:
    """A live server's database (`Database(url)`), or the connection of an in-process test's
    transaction (`Database.lent(...)`), which sees what the app wrote before the rollback."""

    def __init__(self, url: str) -> None:
        engine = create_engine(normalize_database_url(url))
        self._engine: Engine | None = engine
        self.connect: Callable[[], AbstractContextManager[Connection]] = engine.connect
        self._begin: Callable[[], AbstractContextManager[Connection]] = engine.begin

    @classmethod
    def lent(cls, connection: Callable[[], Connection]) -> Database:
        database = cls.__new__(cls)
        database._engine = None
        database.connect = database._begin = lambda: nullcontext(connection())
        return database

    def _scalar(self, sql: str, **params: object) -> int:
        with self.connect() as connection:
            return connection.execute(text(sql), params).scalar_one()

    def row_counts(self) -> dict[str, int]:
        return {table: self._scalar(f"SELECT count(*) FROM {table}") for table in COUNTED_TABLES}  # noqa: S608

    def banks_named(self, name: str) -> list[tuple[int, str, str | None]]:
        """(id, name, bic) of every bank whose name matches ``name`` ignoring case and spacing."""
        with self.connect() as connection:
            rows = connection.execute(
                text("SELECT id, name, bic FROM bank WHERE name_key = :key ORDER BY id"),
                {"key": bank_name_key(name)},
            )
            return [tuple(row) for row in rows]

    def banks_with_bic(self, bic: str) -> list[tuple[int, str, str | None]]:
        with self.connect() as connection:
            rows = connection.execute(text("SELECT id, name, bic FROM bank WHERE bic = :bic"), {"bic": bic})
            return [tuple(row) for row in rows]

    def accounts_of(self, registrant_id: int) -> list[tuple[int, str, bool]]:
        """(id, normalized number, active) of every account of the registrant, archived included."""
        with self.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, normalized_number, active FROM bank_account "
                    "WHERE registrant_id = :registrant ORDER BY id"
                ),
                {"registrant": registrant_id},
            )
            return [(row[0], row[1], bool(row[2])) for row in rows]

    def event_count(self) -> int:
        return self._scalar("SELECT count(*) FROM bank_account_event")

    def execute(self, sql: str) -> None:
        """Run one statement in a transaction of its own, committed (in-process: inside the test's
        transaction)."""
        with self._begin() as connection:
            connection.execute(text(sql))

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
