"""The shared-account check costs one query per request, not one per account, and that query
finds numbers through the index on ``bank_account.normalized_number``; answers mark shared
accounts without any query of their own.

Counted in process, like test_statement_counts: the app on a real, migrated database (a fresh
one per policy), SQLAlchemy's cursor events counting the statements of each request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from g2p_bank_server.shared import repository
from g2p_registry_server.app import create_app
from g2p_registry_server.config import Settings
from g2p_registry_server.db import make_engine, make_sessionmaker
from g2p_registry_server.startup import prepare

from .test_statement_counts import ADMIN_PASSWORD, REGISTRY, StatementCounter

ACCOUNT_COUNTS = (1, 5, 20)


@pytest.fixture(scope="module")
def app(
    request: pytest.FixtureRequest, database_factory: Callable[[], str]
) -> Iterator[tuple[TestClient, StatementCounter]]:
    """The app under the policy the test names (indirect parameter), on a fresh database; one app
    at a time in this process, as its extendable classes are built per app."""
    settings = Settings(
        database_url=database_factory(),
        admin_password=ADMIN_PASSWORD,
        extensions="bank",
        shared_account_policy=request.param,
    )
    prepare(settings)
    application = create_app(settings)
    counter = StatementCounter()
    event.listen(application.state.engine, "before_cursor_execute", counter)
    with TestClient(application) as client:
        client.auth = ("admin", ADMIN_PASSWORD)
        # Known banks and a verified password: what every later request finds.
        first = client.post(f"{REGISTRY}/individual", json=_individual(_numbers(3)))
        assert first.status_code == 200, first.text
        yield client, counter
    application.state.engine.dispose()


def _policy(*policies: str):
    return pytest.mark.parametrize("app", policies, indirect=True)


def _numbers(count: int) -> list[str]:
    return [f"SHARED {secrets.token_hex(6)} {index}" for index in range(count)]


def _individual(numbers: list[str]) -> dict:
    return {
        "name": "Counted Person",
        "given_name": "Counted",
        "family_name": "Person",
        "ids": [{"id_type": "National ID", "value": secrets.token_hex(8)}],
        "bank_ids": [{"bank_name": "Alpha Bank", "acc_number": number} for number in numbers],
    }


def _holder_checks(statements: list[str]) -> int:
    return sum("UNION ALL" in statement and "bank_account" in statement for statement in statements)


def _create(client: TestClient, counter: StatementCounter, numbers: list[str]) -> tuple[dict, list[str]]:
    with counter.counting() as statements:
        answer = client.post(f"{REGISTRY}/individual", json=_individual(numbers))
    assert answer.status_code == 200, answer.text
    return answer.json(), list(statements)


@_policy("block")
def test_the_check_is_one_query_whatever_the_number_of_accounts(app):
    client, counter = app
    counts = {}
    for count in ACCOUNT_COUNTS:
        _, statements = _create(client, counter, _numbers(count))
        assert _holder_checks(statements) == 1, statements
        counts[count] = len(statements)
    assert counts[20] == counts[5] == counts[1], counts
    # A group with members: one check for all of them.
    members = [
        {
            "name": f"Member {index}",
            "given_name": "Member",
            "ids": [{"id_type": "National ID", "value": secrets.token_hex(8)}],
        }
        | {"bank_ids": [{"bank_name": "Beta Bank", "acc_number": number} for number in _numbers(3)]}
        for index in range(4)
    ]
    group = {
        "name": "Counted household",
        "ids": [{"id_type": "National ID", "value": secrets.token_hex(8)}],
        "members": members,
        "bank_ids": _individual(_numbers(2))["bank_ids"],
    }
    with counter.counting() as statements:
        answer = client.post(f"{REGISTRY}/group", json=group)
    assert answer.status_code == 200, answer.text
    assert _holder_checks(statements) == 1


@_policy("block")
def test_a_refused_request_stops_after_the_check(app):
    client, counter = app
    held = _numbers(20)
    _create(client, counter, held)
    with counter.counting() as statements:
        answer = client.post(f"{REGISTRY}/individual", json=_individual(held))
    assert answer.status_code == 422
    assert len(answer.json()["detail"]) == 20
    assert _holder_checks(statements) == 1
    assert not any(
        statement.lstrip().upper().startswith("INSERT INTO BANK_ACCOUNT") for statement in statements
    )


@pytest.mark.parametrize(("app", "policy"), [("flag", "flag"), ("allow", "allow")], indirect=["app"])
def test_flag_and_allow_check_nothing_and_marking_costs_no_query(app, policy):
    client, counter = app
    counts = {}
    for count in ACCOUNT_COUNTS:
        numbers = _numbers(count)
        _create(client, counter, numbers)
        # The second holder of every number: each of its accounts is shared.
        created, statements = _create(client, counter, numbers)
        assert _holder_checks(statements) == 0
        assert [account["shared"] for account in created["bank_ids"]] == [policy == "flag"] * count
        with counter.counting() as statements:
            fetched = client.get(f"{REGISTRY}/individual/{created['id']}")
        assert [account["shared"] for account in fetched.json()["bank_ids"]] == [policy == "flag"] * count
        counts[count] = len(statements)
    assert counts[20] == counts[1], counts


@_policy("block")
def test_the_check_finds_numbers_through_the_index(app, backend):
    client, _ = app
    engine = make_engine(str(client.app.state.settings.database_url))  # type: ignore[attr-defined]
    try:
        with make_sessionmaker(engine)() as session:
            if backend == "postgresql":
                # The tables are small: make the planner show what it would do with large ones.
                session.execute(text("SET LOCAL enable_seqscan = off"))
                explain = "EXPLAIN "
            else:
                explain = "EXPLAIN QUERY PLAN "
            compiled = repository._HOLDERS.params(numbers=["X"], registrant_ids=[1]).compile(
                dialect=engine.dialect, compile_kwargs={"literal_binds": True, "render_postcompile": True}
            )
            plan = session.execute(text(explain + str(compiled))).all()
    finally:
        engine.dispose()
    assert "ix_bank_account_normalized_number" in " ".join(str(row) for row in plan), plan
