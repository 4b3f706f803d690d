"""Races (issue 5, item 4): parallel requests that name the same new bank or send the same account.

Locally the server runs with two worker processes, so the requests really run in parallel in
different processes and database connections. Identity is observed black-box: each client names
the bank with a different casing and spacing; a bank keeps the name it was created with, so one
bank means every answer carries the same bank name. The standalone server's tables are also
counted directly (``needs_process``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests import factories as make
from tests.conformance.figures import FIGURES
from tests.conformance.target import REMOTE, Reference, Target, local_target

CLIENTS = int(os.environ.get("G2P_RACE_CLIENTS", "12"))
WORKERS = 2


@pytest.fixture(scope="module")
def race_target(backend: str, request: pytest.FixtureRequest, reference: Reference) -> Target:
    if backend == REMOTE:
        return request.getfixturevalue("remote_target")
    return local_target(request.getfixturevalue("server_factory")(workers=WORKERS), reference)


def _together(target: Target, calls: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
    """Run the calls at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with target.client() as client:
            client.get(
                "/group", params={"name": make.unique_value("Warmup ")}
            )  # connect and authenticate first
            barrier.wait(timeout=60)
            return call(client)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _spelling(name: str, index: int) -> str:
    """A distinct spelling of ``name`` per index that the contract matches to the same bank."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    chars = list(name.lower())
    for bit, position in enumerate(letters[:10]):
        if index >> bit & 1:
            chars[position] = chars[position].upper()
    spaced = "".join(chars).replace(" ", "  " if index % 2 else " ")
    return f"{' ' * (index % 3)}{spaced}{' ' * (index % 2)}"


def _create_with(ref: Reference, item: dict) -> Callable[[httpx.Client], httpx.Response]:
    def call(client: httpx.Client) -> httpx.Response:
        return client.post("/individual", json=make.individual(ref, bank_ids=[item]))

    return call


def _bank_names(responses: list[httpx.Response]) -> set[str]:
    for response in responses:
        assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    return {response.json()["bank_ids"][0]["bank_name"] for response in responses}


def _race_new_bank_by_name(target: Target) -> tuple[str, set[str]]:
    name = make.unique_value("Race Bank ")
    calls = [
        _create_with(target.reference, make.bank_item(bank_name=_spelling(name, i))) for i in range(CLIENTS)
    ]
    return name, _bank_names(_together(target, calls))


def test_parallel_creates_naming_a_new_bank_make_one_bank(race_target: Target) -> None:
    name, names = _race_new_bank_by_name(race_target)
    FIGURES.race("bank", len(names))
    assert len(names) == 1, f"{len(names)} banks were created for one name: {sorted(names)}"
    with race_target.client() as api:
        later = make.created(
            api.post(
                "/individual",
                json=make.individual(
                    race_target.reference, bank_ids=[make.bank_item(bank_name=name.upper())]
                ),
            )
        )
    assert later["bank_ids"][0]["bank_name"] in names


def test_parallel_creates_with_a_new_bic_make_one_bank(race_target: Target) -> None:
    bic = make.random_bic()
    calls = [_create_with(race_target.reference, make.bank_item(bic=bic)) for _ in range(CLIENTS)]
    responses = _together(race_target, calls)
    names = _bank_names(responses)
    FIGURES.race("bank", len(names))
    assert len(names) == 1, f"{len(names)} banks were created for BIC {bic}"
    assert {r.json()["bank_ids"][0]["bic"] for r in responses} == {bic}


def test_parallel_identical_updates_make_one_account(race_target: Target) -> None:
    ref = race_target.reference
    body = make.individual(ref, bank_ids=[make.bank_item()])
    with race_target.client() as api:
        person = make.created(api.post("/individual", json=body))
    item = make.bank_item(acc_number=make.iban_number(spaced=True))
    element = make.update(make.id_value_of(body), bank_ids=[item])

    def call(client: httpx.Client) -> httpx.Response:
        return client.put("/update_individual", params={"id_type": ref.id_type}, json=[element])

    responses = _together(race_target, [call] * CLIENTS)
    with race_target.client() as api:
        numbers = make.numbers_of(make.created(api.get(f"/individual/{person['id']}")))
    copies = numbers.count(make.normalized(item["acc_number"]))
    FIGURES.race("account", copies)
    assert [r.status_code for r in responses] == [200] * CLIENTS, [
        r.text[:300] for r in responses if r.status_code != 200
    ]
    assert copies == 1 and len(numbers) == 2, f"{copies} copies of the account, {len(numbers)} accounts"


def test_parallel_adds_of_one_account_make_one_account(race_target: Target) -> None:
    ref = race_target.reference
    with race_target.client() as api:
        person = make.created(api.post("/individual", json=make.individual(ref, bank_ids=[])))
    iban = make.iban_number(spaced=True)
    spellings = [iban, iban.replace(" ", ""), iban.lower(), iban.replace(" ", "-")]
    path = f"/registrant/{person['id']}/bank_accounts"

    def adder(index: int) -> Callable[[httpx.Client], httpx.Response]:
        item = make.bank_item(acc_number=spellings[index % len(spellings)])
        return lambda client: client.post(path, json=item)

    responses = _together(race_target, [adder(i) for i in range(CLIENTS)])
    with race_target.client() as api:
        accounts = make.created(api.get(path))
    FIGURES.race("account", len(accounts))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (CLIENTS - 1) + [201], (
        f"statuses {statuses}: {[r.text[:200] for r in responses]}"
    )
    assert len(accounts) == 1 and len({r.json()["id"] for r in responses}) == 1


@pytest.mark.needs_process
def test_parallel_creates_leave_one_bank_row(race_target: Target) -> None:
    name, _ = _race_new_bank_by_name(race_target)
    key = " ".join(name.split()).casefold()
    engine = create_engine(race_target.server.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT count(*) FROM bank WHERE name_key = :key"), {"key": key}
            ).scalar()
    finally:
        engine.dispose()
    FIGURES.race("bank", rows)
    assert rows == 1, f"{rows} bank rows for one name"
