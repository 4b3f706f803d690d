"""The bank work of a request is constant: the statements the application sends to the database
do not grow with the number of accounts a request carries (one bank lookup, one INSERT of all
new accounts, one of all audit events, answers filled with one query).

Counted in process (the app on a real, migrated database, driven by Starlette's test client),
with SQLAlchemy's cursor events: an executemany counts as one statement, as it is one round of
work for the application. Counts are deterministic, unlike timings.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from g2p_registry_server.app import create_app
from g2p_registry_server.config import Settings
from g2p_registry_server.startup import prepare

ACCOUNT_COUNTS = (0, 1, 5, 20)
ADMIN_PASSWORD = secrets.token_urlsafe(18)
BANKS = ("Alpha Bank", "Beta Bank", "Gamma Bank")
REGISTRY = "/api/v1/registry"


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements = []
        yield self.statements


@pytest.fixture(scope="module")
def app_client(database_url: str) -> Iterator[tuple[TestClient, StatementCounter]]:
    settings = Settings(database_url=database_url, admin_password=ADMIN_PASSWORD, extensions="bank")
    prepare(settings)
    app = create_app(settings)
    counter = StatementCounter()
    event.listen(app.state.engine, "before_cursor_execute", counter)
    with TestClient(app) as client:
        client.auth = ("admin", ADMIN_PASSWORD)
        # Known banks and a verified password: what every later request finds.
        client.post(f"{REGISTRY}/individual", json=_individual(len(BANKS))).raise_for_status()
        yield client, counter
    app.state.engine.dispose()


def _accounts(count: int, holder: str = "Holder") -> list[dict]:
    # Every other item names a holder: rows with and without one must not split the INSERT.
    return [
        {"bank_name": BANKS[index % len(BANKS)], "acc_number": f"ACC {secrets.token_hex(6)} {index}"}
        | ({"acc_holder_name": f"{holder} {index}"} if index % 2 else {})
        for index in range(count)
    ]


def _individual(account_count: int, id_value: str | None = None) -> dict:
    return {
        "name": "Counted Person",
        "given_name": "Counted",
        "family_name": "Person",
        "ids": [{"id_type": "National ID", "value": id_value or secrets.token_hex(8)}],
        "bank_ids": _accounts(account_count),
    }


def _post_counts(client: TestClient, counter: StatementCounter) -> dict[int, int]:
    counts = {}
    for account_count in ACCOUNT_COUNTS:
        with counter.counting() as statements:
            answer = client.post(f"{REGISTRY}/individual", json=_individual(account_count))
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["bank_ids"]) == account_count
        counts[account_count] = len(statements)
    return counts


def _update(client: TestClient, id_value: str, accounts: list[dict]):
    update = {"updateId": id_value, "name": "Counted Person", "bank_ids": accounts}
    return client.put(f"{REGISTRY}/update_individual", params={"id_type": "National ID"}, json=[update])


def _put_counts(client: TestClient, counter: StatementCounter, *, resend: bool) -> dict[int, int]:
    """Statements of an update adding N accounts to an individual without any, or (``resend``)
    of an update re-sending the N accounts it holds with new holder names."""
    counts = {}
    for account_count in ACCOUNT_COUNTS:
        id_value = secrets.token_hex(8)
        client.post(f"{REGISTRY}/individual", json=_individual(0, id_value)).raise_for_status()
        accounts = _accounts(account_count)
        if resend:
            _update(client, id_value, accounts).raise_for_status()
            accounts = [item | {"acc_holder_name": f"Renamed {index}"} for index, item in enumerate(accounts)]
        with counter.counting() as statements:
            answer = _update(client, id_value, accounts)
        assert answer.status_code == 200, answer.text
        [updated] = answer.json()
        assert len(updated["bank_ids"]) == account_count
        if resend and account_count:
            assert {item["acc_holder_name"] for item in updated["bank_ids"]} == {
                f"Renamed {index}" for index in range(account_count)
            }
        counts[account_count] = len(statements)
    return counts


def test_create_statements_do_not_grow_with_accounts(app_client):
    counts = _post_counts(*app_client)
    assert counts[20] <= counts[1] + 2, counts
    assert counts[5] <= counts[1] + 2, counts
    # With known banks, accounts cost one bank lookup, one INSERT of the accounts and one of
    # their audit events (a COPY on PostgreSQL, which the cursor events do not see).
    assert counts[1] <= counts[0] + 3, counts


def test_update_statements_do_not_grow_with_accounts(app_client):
    counts = _put_counts(*app_client, resend=False)
    assert counts[20] <= counts[1] + 2, counts
    assert counts[5] <= counts[1] + 2, counts


def test_resent_accounts_update_without_growing(app_client):
    counts = _put_counts(*app_client, resend=True)
    assert counts[20] <= counts[1] + 2, counts


def test_a_create_reads_back_none_of_the_rows_it_starts(app_client):
    """A new registrant's IDs, phones and memberships are known to be empty: once a query's
    autoflush has inserted the registrant, its IDs were loaded from the database all the same."""
    client, counter = app_client
    body = _individual(1) | {"phone_numbers": [{"phone_no": "+1 555 0100"}]}
    with counter.counting() as statements:
        client.post(f"{REGISTRY}/individual", json=body).raise_for_status()
    selects = [
        " ".join(statement.split()) for statement in statements if statement.lstrip().startswith("SELECT")
    ]
    from_ids = [statement for statement in selects if "FROM registrant_id" in statement]
    # One: whether the ID's value is held by another registrant.
    assert len(from_ids) == 1, from_ids
    assert not [statement for statement in selects if "FROM phone_number" in statement]
    assert not [statement for statement in selects if "FROM group_membership" in statement]


def test_an_update_reads_its_individual_once(app_client, database_url):
    """The individual an update names is read with its IDs and phone numbers (which the update
    compares with the request), its ID's type matched by name, by one statement, where looking
    the type up first and loading each collection after it took a statement each; on
    PostgreSQL that statement locks the registrant's row, and no second statement locks it
    again; the answer is built from what the update wrote, not read back."""
    client, counter = app_client
    id_value = secrets.token_hex(8)
    body = _individual(0, id_value) | {"phone_numbers": [{"phone_no": "+1 555 0100"}]}
    client.post(f"{REGISTRY}/individual", json=body).raise_for_status()
    with counter.counting() as statements:
        _update(client, id_value, []).raise_for_status()
    selects = [
        " ".join(statement.split()) for statement in statements if statement.lstrip().startswith("SELECT")
    ]
    finding = [statement for statement in selects if "JOIN registrant_id" in statement]
    assert len(finding) == 1, selects
    assert "phone_number" in finding[0]
    if database_url.startswith("postgresql"):
        assert finding[0].endswith("FOR UPDATE OF registrant"), finding[0]
    assert len([statement for statement in selects if "FOR UPDATE" in statement]) == len(
        [statement for statement in finding if "FOR UPDATE" in statement]
    ), selects
    # No statement loading IDs or phones of their own (their columns come first).
    assert not [statement for statement in selects if statement.startswith("SELECT registrant_id.")]
    assert not [statement for statement in selects if statement.startswith("SELECT phone_number.")]
    # Nor its ID's type on its own (matched by name in the finding statement), nor the answers'
    # view of registrants (their IDs and phones as JSON arrays).
    assert not [statement for statement in selects if statement.startswith("SELECT id_type.")]
    assert not [statement for statement in selects if "phone_rows" in statement]
