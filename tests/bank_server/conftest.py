"""Fixtures of the bank extension's tests: the module's server (bank extension enabled, as by
default) and direct reads of its database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.in_process import InProcessApp, runs_in_process
from tests.support.live_server import LiveServer

from .database import Database


@pytest.fixture(scope="module")
def database(request: pytest.FixtureRequest, backend: str) -> Iterator[Database]:
    if runs_in_process(request):
        app: InProcessApp = request.getfixturevalue("in_process_app")
        yield Database.lent(lambda: app.connection)
        return
    live_server: LiveServer = request.getfixturevalue("live_server")
    db = Database(live_server.database_url)
    yield db
    db.dispose()
