"""Fixtures of the bank extension's tests: the module's server (bank extension enabled, as by
default) and direct reads of its database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live_server import LiveServer

from .database import Database


@pytest.fixture(scope="module")
def database(live_server: LiveServer) -> Iterator[Database]:
    db = Database(live_server.database_url)
    yield db
    db.dispose()
