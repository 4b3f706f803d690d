"""Raw DB-API connections (sqlite3, psycopg) for the driver side of the benchmarks; imports
nothing of the server, so that the driver side's memory and time are the driver's own."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url


def driver_connection(url: str):
    """A raw DB-API connection (sqlite3 or psycopg) to a database the server created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        connection = sqlite3.connect(parsed.database, isolation_level=None)
        # The server's own settings, so that both sides pay the same durability.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    )
