"""Throw-away databases for tests: a SQLite file, or a fresh database on a PostgreSQL server."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / f'registry-{secrets.token_hex(4)}.db'}"


class PostgresServer:
    """A PostgreSQL server reached through an administrative URL; creates and drops test databases."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)

    def _connect(self) -> psycopg.Connection:
        url = self.admin_url
        return psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database or "postgres",
            autocommit=True,
        )

    def create_database(self) -> str:
        name = f"g2p_test_{secrets.token_hex(6)}"
        with self._connect() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.admin_url.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._connect() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
