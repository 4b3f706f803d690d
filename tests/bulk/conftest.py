"""Fixtures of the bulk tests: the module's server (all extensions, as by default), direct reads
of its database, and fresh migrated databases for the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from g2p_registry_server.config import Settings
from g2p_registry_server.db.migrate import upgrade_heads
from g2p_registry_server.startup import seed
from tests.factories import Run
from tests.support.live_server import LiveServer

from .database import Database


@pytest.fixture(scope="module")
def database(live_server: LiveServer) -> Iterator[Database]:
    db = Database(live_server.database_url)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def migrated_database(database_factory: Callable[[], str]) -> Callable[[], str]:
    """Makes fresh databases with the schema and reference data, as `serve` would leave them."""

    def make() -> str:
        url = database_factory()
        settings = Settings(database_url=url)
        upgrade_heads(settings)
        seed(settings)
        return url

    return make


@pytest.fixture
def run() -> Run:
    return Run()
