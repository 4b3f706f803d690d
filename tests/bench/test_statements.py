"""The concurrency benchmark's reference for a GET, its statements replayed without the
registry's code (`bench.statements`), must be the GET's whole database work: every transaction,
the `revealed` event it writes included (on PostgreSQL sent on the driver's own cursor, past
SQLAlchemy's events), and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.registrants import individual
from bench.servers import prepare_database
from bench.statements import CapturedRequest, capture, replay
from g2p_registry_server.app import REGISTRY_PATH, create_app
from g2p_registry_server.config import Settings


@pytest.fixture(scope="module")
def captured_get(database_url: str) -> Iterator[tuple[CapturedRequest, object, bytes]]:
    credentials = prepare_database(database_url)
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, headers={"Authorization": credentials.password_authorization}) as client:
        created = client.post(REGISTRY_PATH + "/individual", json=individual(2))
        assert created.status_code == 200, created.text
        path = f"{REGISTRY_PATH}/individual/{created.json()['id']}"
        captured = capture(app, app.state.engine, path, credentials.password_authorization)
        answered = client.get(path).content
    yield captured, app.state.engine, answered
    app.state.engine.dispose()


def _revealed_events(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM bank_account_event WHERE kind = 'revealed'")
        ).scalar_one()


def test_the_capture_is_the_gets_answer_and_its_transactions(captured_get):
    captured, _engine, answered = captured_get
    assert captured.body == answered
    statements = [each.text for transaction in captured.transactions for each in transaction.statements]
    # The credential check, the registrant, its accounts, the revealed event.
    assert any("FROM api_user" in statement for statement in statements), statements
    assert any("FROM registrant" in statement for statement in statements), statements
    assert any("FROM bank_account" in statement for statement in statements), statements
    assert sum("INSERT INTO bank_account_event" in statement for statement in statements) == 1, statements
    # The event is committed; the credential check is only read.
    (writing,) = [t for t in captured.transactions if any("INSERT" in s.text for s in t.statements)]
    assert writing.committed


def test_a_replay_does_the_gets_database_work_again(captured_get):
    captured, engine, _answered = captured_get
    before = _revealed_events(engine)
    replay(engine, captured.transactions)
    replay(engine, captured.transactions)
    assert _revealed_events(engine) == before + 2
