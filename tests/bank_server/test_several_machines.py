"""The README's "several workers and machines": two server processes on two ports over one
PostgreSQL database, each with two workers, standing in for two machines behind a proxy. A load
spread over both is answered in full; races between the machines end as on one machine (one
bank for one new bank name, one account for one number, one registrant for one ID value); a
password changed through one machine is refused by the other at once; failed logins through
both machines add up to one block, at the contract's limits (5 per login, 20 per address)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import individual, unique_value
from tests.registry_server.cli import new_user, run_cli
from tests.support.live_server import LiveServer

from .api import accounts_path, create_individual, ok
from .database import Database

MACHINES, WORKERS_EACH, CLIENTS = 2, 2, 12
CONTRACT_LIMITS = {"G2P_LOGIN_FAILURES_PER_LOGIN": "5", "G2P_LOGIN_FAILURES_PER_ADDRESS": "20"}


@pytest.fixture(scope="module")
def machines(backend: str, database_factory, server_factory) -> list[LiveServer]:
    if backend != "postgresql":
        pytest.skip("several machines share a PostgreSQL database (SQLite is for one machine)")
    database_url = database_factory()
    first = server_factory(workers=WORKERS_EACH, database_url=database_url, env=CONTRACT_LIMITS)
    # The same admin password on both: one user table.
    second = LiveServer(
        database_url,
        log_path=first.log_path.with_name("second.log"),
        workers=WORKERS_EACH,
        env=CONTRACT_LIMITS,
    )
    second.admin_password = first.admin_password
    second.start()
    yield [first, second]
    second.stop()


@pytest.fixture(scope="module")
def database(machines: list[LiveServer]):
    db = Database(machines[0].database_url)
    yield db
    db.dispose()


def _on_machines(machines: list[LiveServer], calls: list[Callable[[httpx.Client], httpx.Response]]):
    """Run the calls at one moment, spread over the machines, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    spread = itertools.cycle(machines)
    assigned = [(next(spread), call) for call in calls]

    def run(pair: tuple[LiveServer, Callable[[httpx.Client], httpx.Response]]) -> httpx.Response:
        machine, call = pair
        with machine.client() as http:
            barrier.wait()
            return call(http)

    with ThreadPoolExecutor(max_workers=len(calls)) as executor:
        return list(executor.map(run, assigned))


def test_a_load_spread_over_both_machines_is_answered_in_full(machines):
    marker = unique_value("Machines")

    def create(index: int) -> Callable[[httpx.Client], httpx.Response]:
        return lambda http: http.post("/individual", json=individual(name=f"{marker} {index}"))

    answers = _on_machines(machines, [create(index) for index in range(4 * CLIENTS)])
    assert [answer.status_code for answer in answers] == [200] * (4 * CLIENTS)
    for machine in machines:  # each machine sees what the other wrote
        with machine.client() as http:
            assert len(ok(http.get("/individual", params={"name": marker}))) == 4 * CLIENTS


def test_one_new_bank_named_on_both_machines_is_created_once(machines, database):
    bank = f"Two Machines Bank {unique_value()}"
    spellings = [bank, bank.upper(), f"  {bank.lower()} ", bank.replace(" ", "  ")]

    def create(index: int) -> Callable[[httpx.Client], httpx.Response]:
        item = {"bank_name": spellings[index % len(spellings)], "acc_number": f"MACH{index:04d}"}
        return lambda http: http.post("/individual", json=individual(bank_ids=[item]))

    answers = _on_machines(machines, [create(index) for index in range(CLIENTS)])
    assert [answer.status_code for answer in answers] == [200] * CLIENTS
    assert len(database.banks_named(bank)) == 1
    assert len({answer.json()["bank_ids"][0]["bank_name"] for answer in answers}) == 1


def test_one_account_sent_through_both_machines_is_held_once(machines, database):
    with machines[0].client() as http:
        registrant = create_individual(http, individual())
    item = {"bank_name": "Race Bank", "acc_number": f"RACE-{unique_value()}"}
    path = accounts_path(registrant["id"])
    answers = _on_machines(machines, [lambda http: http.post(path, json=item)] * CLIENTS)
    assert sorted(answer.status_code for answer in answers) == [200] * (CLIENTS - 1) + [201]
    assert len(database.accounts_of(registrant["id"])) == 1


def test_one_id_value_sent_through_both_machines_names_one_registrant(machines):
    ids = [{"id_type": "National ID", "value": unique_value()}]
    answers = _on_machines(
        machines, [lambda http: http.post("/individual", json=individual(ids=ids))] * CLIENTS
    )
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 400, 409}


def test_a_changed_password_is_refused_by_the_other_machine_at_once(machines):
    first, second = machines
    user, password = f"officer{unique_value('u')}", "first password 1"
    new_user(first.database_url, user, password)
    for machine in machines:  # each machine now remembers the verified password
        assert httpx.get(f"{machine.api_url}/individual/1", auth=(user, password)).status_code in {200, 400}
    changed = run_cli(
        first.database_url, "create-user", user, "--update", "--password-stdin", stdin="second password 2\n"
    )
    assert changed.returncode == 0, changed.stderr
    for machine in machines:
        assert httpx.get(f"{machine.api_url}/individual/1", auth=(user, password)).status_code == 401
    assert httpx.get(f"{second.api_url}/individual/1", auth=(user, "second password 2")).status_code in {
        200,
        400,
    }


def test_failed_logins_through_both_machines_add_up_to_one_block(machines):
    user, password = f"clerk{unique_value('u')}", "clerk password 1"
    new_user(machines[0].database_url, user, password)
    url = "/get_individual_ids"
    params = {"include_id_type": "National ID"}
    # Five wrong passwords, alternating machines, each on a new connection (and so on either
    # worker): no machine alone has seen five, the database has.
    alternating = list(itertools.islice(itertools.cycle(machines), 5))
    statuses = [
        httpx.get(f"{machine.api_url}{url}", params=params, auth=(user, "wrong"), timeout=30).status_code
        for machine in alternating
    ]
    assert statuses == [401] * 5
    for machine in machines:  # blocked on both, even with the right password
        refused = httpx.get(f"{machine.api_url}{url}", params=params, auth=(user, password), timeout=30)
        assert refused.status_code == 429, refused.text
        assert 55 <= int(refused.headers["retry-after"]) <= 60
