"""A local server standing in for a deployment that the remote benchmark reaches by URL."""

import pytest

from bench.servers import BenchServer, prepare_database


@pytest.fixture
def deployment(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'remote.db'}"
    credentials = prepare_database(database_url)
    with BenchServer(database_url, log_path=tmp_path / "server.log") as server:
        yield server, credentials
