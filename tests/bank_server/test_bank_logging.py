"""Account numbers never appear in full in the server's log (contract section 3): at most their
last four characters, whatever the request did, including refused requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.factories import bank_item, group, iban_number, individual, member, spaced_lowercase, update
from tests.support.live_server import LiveServer

from .api import BY_NATIONAL_ID, UPDATE_PATH, accounts_path, create_group, create_individual, ok

BAD_IBAN = "DE89 3704 0044 0532 0130 01"


@pytest.fixture(scope="module")
def verbose_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(env={"G2P_LOG_LEVEL": "DEBUG"})


@pytest.fixture
def client(verbose_server: LiveServer) -> Iterator[httpx.Client]:
    with verbose_server.client() as http:
        yield http


def _hidden_parts(number: str) -> set[str]:
    """What must never be logged of a number: all of it in any spelling, and its part before the tail."""
    compact = number.replace(" ", "").upper()
    return {number, compact, compact.lower(), spaced_lowercase(compact), compact[:-4]}


def test_account_numbers_are_logged_masked_only(client: httpx.Client, verbose_server: LiveServer) -> None:
    numbers = [iban_number() for _ in range(8)]
    body = individual(
        bank_ids=[bank_item(acc_number=numbers[0]), bank_item(acc_number=spaced_lowercase(numbers[1]))]
    )
    registrant = create_individual(client, body)
    create_group(
        client,
        group(
            members=[member(bank_ids=[bank_item(acc_number=numbers[2])])],
            bank_ids=[bank_item(acc_number=numbers[3])],
        ),
    )
    ok(
        client.put(
            UPDATE_PATH,
            params=BY_NATIONAL_ID,
            json=[update(body, bank_ids=[bank_item(acc_number=numbers[4])])],
        )
    )
    path = accounts_path(registrant["id"])
    posted = ok(client.post(path, json=bank_item(acc_number=numbers[5])), 201)
    ok(client.delete(f"{path}/{posted['id']}"), 204)
    ok(client.put(path, json=[bank_item(acc_number=numbers[6])]))
    # Refused requests: a bad checksum, a duplicate, and an unknown registrant.
    assert (
        client.post("/individual", json=individual(bank_ids=[bank_item(acc_number=BAD_IBAN)])).status_code
        == 422
    )
    duplicate = [bank_item(acc_number=numbers[7]), bank_item(acc_number=spaced_lowercase(numbers[7]))]
    assert client.put(path, json=duplicate).status_code == 422
    assert client.post(accounts_path(2_000_000_000), json=bank_item(acc_number=numbers[7])).status_code == 404

    log = verbose_server.log_text()
    for number in [*numbers, BAD_IBAN]:
        for hidden in _hidden_parts(number):
            assert hidden not in log, f"account number …{number[-4:]} logged in full"
    # Changes are logged, with the last four characters only.
    for number in numbers[:7]:
        assert f"…{number[-4:]}" in log
