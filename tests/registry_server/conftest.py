"""Fixtures of the registry server tests: the registry with no extension enabled (on its own),
`api` (the shared `client`, by the name these tests use), and direct row counts to prove that
failed requests wrote nothing. Modules marked `in_process` get the app in process
(`tests.support.in_process`), the others the module's live server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import Connection, create_engine, text

from g2p_registry_server.db import normalize_database_url
from tests.support.in_process import InProcessApp, runs_in_process
from tests.support.live_server import LiveServer

REGISTRY_ONLY = {"G2P_EXTENSIONS": ""}
COUNTED_TABLES = ("registrant", "registrant_id", "phone_number", "group_membership", "group_membership_kind")


@pytest.fixture(scope="module")
def app_settings() -> dict[str, object]:
    return {"extensions": ""}


@pytest.fixture(scope="module")
def live_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    """The module's server: the registry with no extension enabled."""
    return server_factory(env=REGISTRY_ONLY)


@pytest.fixture(scope="module")
def registry(live_server: LiveServer) -> LiveServer:
    return live_server


@pytest.fixture
def api(client: httpx.Client) -> httpx.Client:
    return client


def _counts(connection: Connection) -> dict[str, int]:
    return {
        table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
        for table in COUNTED_TABLES
    }


@pytest.fixture
def row_counts(request: pytest.FixtureRequest, backend: str) -> Iterator[Callable[[], dict[str, int]]]:
    if runs_in_process(request):
        app: InProcessApp = request.getfixturevalue("in_process_app")
        yield lambda: _counts(app.connection)
        return
    registry: LiveServer = request.getfixturevalue("registry")
    engine = create_engine(normalize_database_url(registry.database_url))

    def counts() -> dict[str, int]:
        with engine.connect() as connection:
            return _counts(connection)

    yield counts
    engine.dispose()
