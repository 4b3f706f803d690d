"""Several worker processes over one database: the parent migrates and seeds once before the
workers start, concurrent writes all succeed (SQLite queues writers on BEGIN IMMEDIATE and the
busy timeout), and racing writers of the same ID value get one success and clear refusals."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import group, individual, unique_value
from tests.registry_server.conftest import REGISTRY_ONLY

WORKERS = 3


@pytest.fixture(scope="module")
def pool(server_factory):
    return server_factory(workers=WORKERS, env=REGISTRY_ONLY)


def _started_workers(server) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", server.log_text()))


def test_parent_prepares_the_database_once(pool):
    # The server is healthy once one worker answers; the others may still be importing.
    deadline = time.monotonic() + 60
    while len(_started_workers(pool)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(_started_workers(pool)) == WORKERS
    assert len(re.findall(r"Running upgrade\s+-> registry_0001", pool.log_text())) == 1


def test_concurrent_writes_and_reads_all_succeed(pool):
    marker = unique_value("Worker")

    def write(index: int) -> int:
        with pool.client() as http:
            if index % 4 == 0:
                return http.post("/group", json=group(name=f"{marker} group {index}")).status_code
            created = http.post("/individual", json=individual(name=f"{marker} {index}"))
            if created.status_code != 200:
                return created.status_code
            return http.get(f"/individual/{created.json()['id']}").status_code

    with ThreadPoolExecutor(max_workers=12) as executor:
        statuses = list(executor.map(write, range(48)))
    assert statuses == [200] * 48
    with pool.client() as http:
        assert len(http.get("/individual", params={"name": marker}).json()) == 36
        assert len(http.get("/group", params={"name": marker}).json()) == 12


def test_racing_writers_of_one_id_value(pool):
    shared = [{"id_type": "National ID", "value": unique_value()}]

    def create(_: int) -> int:
        with pool.client() as http:
            return http.post("/individual", json=individual(ids=shared)).status_code

    with ThreadPoolExecutor(max_workers=8) as executor:
        statuses = list(executor.map(create, range(8)))
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 400, 409}
    with pool.client() as http:
        listed = http.get("/get_individual_ids", params={"include_id_type": "National ID"}).json()
    assert listed.count(shared[0]["value"]) == 1
