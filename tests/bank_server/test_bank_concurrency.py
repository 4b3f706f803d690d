"""Concurrent requests across several worker processes: one new bank is created once, and
identical concurrent writes to one registrant's accounts end with one account and no error."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import bank_item, iban_number, individual, random_bic, unique_value, update
from tests.support.live_server import LiveServer

from .api import BY_NATIONAL_ID, UPDATE_PATH, accounts_path, create_individual
from .database import Database

WORKERS = 3
CLIENTS = 12


@pytest.fixture(scope="module")
def workers_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(workers=WORKERS)


@pytest.fixture(scope="module")
def workers_database(workers_server: LiveServer) -> Iterator[Database]:
    db = Database(workers_server.database_url)
    yield db
    db.dispose()


@pytest.fixture
def client(workers_server: LiveServer) -> Iterator[httpx.Client]:
    with workers_server.client() as http:
        yield http


def all_at_once(
    server: LiveServer, requests: list[Callable[[httpx.Client], httpx.Response]]
) -> list[httpx.Response]:
    """Send the requests from parallel clients released together; their responses, in order."""
    start = threading.Barrier(len(requests))

    def send(request: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with server.client() as http:
            start.wait()
            return request(http)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [response.status_code for response in responses]


def test_parallel_creations_naming_one_new_bank_create_it_once(
    workers_server: LiveServer, workers_database: Database
) -> None:
    name = unique_value("Bank ")
    spellings = [name, name.upper(), f"  {name.lower()} ", name.replace(" ", "  ")]
    bodies = [
        individual(bank_ids=[bank_item(bank_name=spellings[index % len(spellings)]), bank_item()])
        for index in range(CLIENTS)
    ]
    responses = all_at_once(
        workers_server, [lambda http, b=body: http.post("/individual", json=b) for body in bodies]
    )

    assert statuses(responses) == [200] * CLIENTS, [r.text for r in responses if r.status_code != 200]
    assert len(workers_database.banks_named(name)) == 1
    assert {response.json()["bank_ids"][0]["bank_name"] for response in responses} == {
        workers_database.banks_named(name)[0][1]
    }


def test_parallel_creations_naming_one_new_bic_create_one_bank(
    workers_server: LiveServer, workers_database: Database
) -> None:
    bic, name = random_bic(), unique_value("Bank ")
    bodies = [
        individual(bank_ids=[bank_item(bank_name=f"{name} {index}", bic=bic)]) for index in range(CLIENTS)
    ]
    responses = all_at_once(
        workers_server, [lambda http, b=body: http.post("/individual", json=b) for body in bodies]
    )

    assert statuses(responses) == [200] * CLIENTS
    assert len({response.json()["bank_ids"][0]["bank_name"] for response in responses}) == 1
    assert len(workers_database.banks_with_bic(bic)) == 1


def test_parallel_identical_updates_add_one_account(
    client: httpx.Client, workers_server: LiveServer, workers_database: Database
) -> None:
    body = individual(bank_ids=[bank_item()])
    registrant = create_individual(client, body)
    change = [
        update(
            body,
            bank_ids=[bank_item(bank_name=unique_value("Bank "), acc_number=iban_number(), primary=True)],
        )
    ]

    responses = all_at_once(
        workers_server, [lambda http: http.put(UPDATE_PATH, params=BY_NATIONAL_ID, json=change)] * CLIENTS
    )

    assert statuses(responses) == [200] * CLIENTS, [r.text for r in responses if r.status_code != 200]
    assert len(workers_database.accounts_of(registrant["id"])) == 2
    answers = [response.json()[0]["bank_ids"] for response in responses]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0][0]["acc_number"] == change[0]["bank_ids"][0]["acc_number"]


def test_parallel_posts_of_one_account_create_it_once(
    client: httpx.Client, workers_server: LiveServer, workers_database: Database
) -> None:
    registrant = create_individual(client, individual())
    path = accounts_path(registrant["id"])
    sent = bank_item()

    responses = all_at_once(workers_server, [lambda http: http.post(path, json=sent)] * CLIENTS)

    assert sorted(statuses(responses)) == [200] * (CLIENTS - 1) + [201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert len(workers_database.accounts_of(registrant["id"])) == 1


def test_parallel_replacing_puts_agree(
    client: httpx.Client, workers_server: LiveServer, workers_database: Database
) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item(), bank_item()]))
    path = accounts_path(registrant["id"])
    wanted = [bank_item(), registrant["bank_ids"][1] | {"primary": True}]
    wanted[1] = {key: wanted[1][key] for key in ("bank_name", "acc_number", "primary")}

    responses = all_at_once(workers_server, [lambda http: http.put(path, json=wanted)] * CLIENTS)

    assert statuses(responses) == [200] * CLIENTS
    assert all(response.json() == responses[0].json() for response in responses)
    assert [row[2] for row in workers_database.accounts_of(registrant["id"])] == [False, True, True]
