"""Fixtures of the registry server tests: a server with no extension enabled (the registry on
its own), an authenticated client, and direct row counts to prove that failed requests wrote
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from g2p_registry_server.db import normalize_database_url
from tests.support.live_server import LiveServer

REGISTRY_ONLY = {"G2P_EXTENSIONS": ""}
COUNTED_TABLES = ("registrant", "registrant_id", "phone_number", "group_membership", "group_membership_kind")


@pytest.fixture(scope="module")
def registry(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(env=REGISTRY_ONLY)


@pytest.fixture
def api(registry: LiveServer) -> Iterator[httpx.Client]:
    with registry.client() as http:
        yield http


@pytest.fixture
def anonymous(registry: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry.api_url, timeout=30) as http:
        yield http


@pytest.fixture
def row_counts(registry: LiveServer) -> Iterator[Callable[[], dict[str, int]]]:
    engine = create_engine(normalize_database_url(registry.database_url))

    def counts() -> dict[str, int]:
        with engine.connect() as connection:
            return {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in COUNTED_TABLES
            }

    yield counts
    engine.dispose()
