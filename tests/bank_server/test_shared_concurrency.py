"""Under a blocking shared-account policy, concurrent requests attaching one new number to
different registrants: exactly one succeeds, the others are refused (422), whatever the paths
and worker processes involved. Real parallel HTTP clients against a server with several worker
processes, on SQLite (writers take turns) and PostgreSQL (advisory locks on the numbers)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text

from g2p_bank_server.rules import normalize_account_number
from tests.factories import bank_item, iban_number, individual, spaced_lowercase
from tests.support.live_server import LiveServer

from .api import accounts_path, create_individual
from .database import Database
from .test_bank_concurrency import all_at_once, statuses

WORKERS = 3
CLIENTS = 8
BLOCKING = ("block", "block_outside_group")


@pytest.fixture(scope="module")
def servers(server_factory: Callable[..., LiveServer], database_url: str) -> dict[str, LiveServer]:
    started = {}
    for policy in BLOCKING:
        started[policy] = server_factory(
            workers=WORKERS, database_url=database_url, env={"G2P_SHARED_ACCOUNT_POLICY": policy}
        )
        # The first server created the admin user.
        started[policy].admin_password = started[BLOCKING[0]].admin_password
    return started


@pytest.fixture(scope="module")
def database(servers: dict[str, LiveServer], database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def holders_of(database: Database, number: str) -> list[int]:
    """The registrants holding the number with an active account."""
    with database.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT registrant_id FROM bank_account WHERE normalized_number = :number AND active "
                "ORDER BY registrant_id"
            ),
            {"number": normalize_account_number(number)},
        )
        return [row[0] for row in rows]


def refused(responses: list[httpx.Response]) -> list[httpx.Response]:
    others = [
        response for response in responses if response.status_code != 200 and response.status_code != 201
    ]
    for response in others:
        assert response.status_code == 422, response.text
        assert {error["type"] for error in response.json()["detail"]} == {"account_held_elsewhere"}
    return others


@pytest.mark.parametrize("policy", BLOCKING)
def test_parallel_new_individuals_with_one_new_number(servers, database, policy):
    number = iban_number()
    # Spelled differently by each client: one account all the same.
    spellings = [number, spaced_lowercase(number)]
    bodies = [
        individual(bank_ids=[bank_item(), bank_item(acc_number=spellings[index % 2])])
        for index in range(CLIENTS)
    ]
    responses = all_at_once(
        servers[policy], [lambda http, body=body: http.post("/individual", json=body) for body in bodies]
    )
    assert sorted(statuses(responses)) == [200] + [422] * (CLIENTS - 1), [r.text for r in responses]
    assert len(refused(responses)) == CLIENTS - 1
    [winner] = [response.json() for response in responses if response.status_code == 200]
    assert holders_of(database, number) == [winner["id"]]


@pytest.mark.parametrize("policy", BLOCKING)
def test_parallel_sub_resource_posts_to_several_registrants(servers, database, policy):
    with servers[policy].client() as client:
        registrants = [create_individual(client, individual())["id"] for _ in range(CLIENTS)]
    sent = bank_item()
    responses = all_at_once(
        servers[policy],
        [
            lambda http, registrant=registrant: http.post(accounts_path(registrant), json=sent)
            for registrant in registrants
        ],
    )
    assert sorted(statuses(responses)) == [201] + [422] * (CLIENTS - 1)
    refused(responses)
    [winner] = [
        registrant
        for registrant, response in zip(registrants, responses, strict=True)
        if response.status_code == 201
    ]
    assert holders_of(database, sent["acc_number"]) == [winner]


def test_parallel_requests_locking_numbers_in_opposite_orders(servers, database):
    """Two numbers sent in either order by alternate clients: one client wins both, the others
    are refused; no deadlock, no conflict answer."""
    first, second = iban_number(), iban_number()
    orders = [[first, second], [second, first]]
    bodies = [
        individual(bank_ids=[bank_item(acc_number=number) for number in orders[index % 2]])
        for index in range(CLIENTS)
    ]
    # Through both servers at once: their worker processes race over one database.
    start = threading.Barrier(CLIENTS)

    def send(index: int) -> httpx.Response:
        with servers[BLOCKING[index % 2]].client() as http:
            start.wait()
            return http.post("/individual", json=bodies[index])

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        responses = list(pool.map(send, range(CLIENTS)))
    assert statuses(responses).count(200) == 1, [r.text for r in responses]
    refused(responses)
    [winner] = [response.json()["id"] for response in responses if response.status_code == 200]
    assert holders_of(database, first) == holders_of(database, second) == [winner]
