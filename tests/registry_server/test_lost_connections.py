"""Pooled PostgreSQL connections that the database closed meanwhile (a restart, a failover, an
idle timeout) are replaced before a request uses them: connections idle for a few seconds are
checked at checkout, so that steady traffic pays no check (`db/engine.py`)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy.engine import make_url

from g2p_registry_server.db.engine import IDLE_BEFORE_PING_SECONDS
from tests.registry_server.conftest import REGISTRY_ONLY


def _close_server_connections(database_url: str) -> int:
    """Terminate every session of the server on its database, as a database restart would."""
    url = make_url(database_url)
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (url.database,),
        ).fetchall()
    return len(rows)


def test_connections_closed_by_the_database_are_replaced(backend, server_factory):
    if backend != "postgresql":
        pytest.skip("SQLite connections are files: nothing closes them")
    server = server_factory(workers=1, env=REGISTRY_ONLY)
    with server.client() as http:
        for _ in range(3):  # the pool now holds connections
            assert (
                http.get("/get_individual_ids", params={"include_id_type": "National ID"}).status_code == 200
            )
    assert _close_server_connections(server.database_url) >= 1
    time.sleep(IDLE_BEFORE_PING_SECONDS + 0.5)
    with server.client() as http:
        answers = [
            http.get("/get_individual_ids", params={"include_id_type": "National ID"}).status_code
            for _ in range(5)
        ]
    assert answers == [200] * 5
