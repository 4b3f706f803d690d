"""The standalone app in the test's own process: `TestClient(create_app(settings))` over a real,
migrated SQLite or PostgreSQL database, each test inside one database transaction rolled back
at its end, so that a test leaves nothing behind and needs no server process.

How: while a test runs, every session and connection of the app is bound to the one connection
that holds the test's transaction. What the app commits is a savepoint released inside it
(`join_transaction_mode="create_savepoint"`), what it rolls back returns to its savepoint; the
test's own reads (`Database`) use the same connection and see exactly what the app wrote.
A request still goes through every middleware, dependency, handler and error handler, as in a
server. What needs processes (several workers, races, crashes, the command line, logs) runs on
live servers (`tests.support.live_server`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from g2p_registry_server.api.deps import SessionFactories
from g2p_registry_server.app import REGISTRY_PATH, create_app
from g2p_registry_server.config import Settings
from g2p_registry_server.startup import prepare

ADMIN = "admin"


def runs_in_process(request: pytest.FixtureRequest) -> bool:
    """Whether the requesting test's module is marked `pytest.mark.in_process`."""
    return request.node.get_closest_marker("in_process") is not None


class _LentConnection:
    """Stands in for the engine the app checks credentials with: `connect()` lends the test's
    connection, and leaves it open."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self._connection


def _joined(factory: sessionmaker[Session], connection: Connection) -> sessionmaker[Session]:
    """The app's session factory (its settings and options), bound to the test's connection."""
    options = {**factory.kw, "bind": connection, "join_transaction_mode": "create_savepoint"}
    return sessionmaker(**options)


class InProcessApp:
    """One app per test module and backend, on its own migrated database (`prepare`, as `serve`
    runs it); `settings` override the test defaults (cheap password hashes, no login blocking:
    tests of those run on live servers)."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        self.admin_password = secrets.token_urlsafe(18)
        defaults: dict[str, Any] = {
            "database_url": database_url,
            "admin_password": self.admin_password,
            "password_hash_cost": "sandbox",
            "login_failures_per_login": 100_000,
            "login_failures_per_address": 100_000,
        }
        self.settings = Settings(**(defaults | settings))
        prepare(self.settings)
        self.app = create_app(self.settings)
        self._connection: Connection | None = None

    @property
    def auth(self) -> tuple[str, str]:
        return (ADMIN, self.admin_password)

    @property
    def connection(self) -> Connection:
        """The connection of the running test's transaction."""
        if self._connection is None:
            raise RuntimeError("no test transaction: use `rolled_back()`")
        return self._connection

    def client(self, *, anonymous: bool = False, **kwargs: Any) -> TestClient:
        """A client of the registry API with the admin's credentials, or `anonymous`."""
        client = TestClient(self.app, base_url=f"http://testserver{REGISTRY_PATH}", **kwargs)
        if not anonymous:
            client.auth = self.auth
        return client

    @contextmanager
    def rolled_back(self) -> Iterator[Connection]:
        """One test: the app works inside a transaction of one connection, rolled back at the end."""
        state = self.app.state.registry_app.state
        connection = self.app.state.engine.connect()
        transaction = connection.begin()
        own_factories, own_engine = state.session_factories, state.engine
        state.session_factories = SessionFactories(
            read=_joined(own_factories.read, connection), write=_joined(own_factories.write, connection)
        )
        state.engine = _LentConnection(connection)
        self._connection = connection
        try:
            yield connection
        finally:
            self._connection = None
            state.session_factories, state.engine = own_factories, own_engine
            transaction.rollback()
            connection.close()

    def close(self) -> None:
        self.app.state.engine.dispose()
