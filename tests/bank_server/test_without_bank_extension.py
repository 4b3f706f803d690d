"""The registry without the bank extension (G2P_EXTENSIONS=""): no bank fields, routes or tables,
and the extension can be enabled later on the same database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, inspect

from g2p_registry_server.db import normalize_database_url
from tests.factories import bank_item, individual
from tests.support.live_server import LiveServer

from .api import accounts_path, create_individual, ok


def _tables(database_url: str) -> set[str]:
    engine = create_engine(normalize_database_url(database_url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def registry_only(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(env={"G2P_EXTENSIONS": ""})


def test_registry_without_the_extension_knows_nothing_of_banks(registry_only: LiveServer) -> None:
    with registry_only.client() as client:
        created = create_individual(client, individual(bank_ids=[bank_item()]))
        assert "bank_ids" not in created
        assert "bank_ids" not in ok(client.get(f"/individual/{created['id']}"))
        assert client.get(accounts_path(created["id"])).status_code == 404

        document = ok(client.get("/openapi.json"))
        assert not any("bank_accounts" in path for path in document["paths"])
        schemas = document["components"]["schemas"]
        assert "bank_ids" not in schemas["IndividualInfoRequest"]["properties"]
        assert "bank_ids" not in schemas["IndividualInfoResponse"]["properties"]
        assert not any(name.startswith("BankDetails") for name in schemas)
    assert not {"bank", "bank_account"} & _tables(registry_only.database_url)


def test_extension_enabled_later_migrates_and_serves_existing_registrants(registry_only: LiveServer) -> None:
    with registry_only.client() as client:
        created = create_individual(client, individual())

    # The same server and database, restarted with every installed extension (the default).
    del registry_only.extra_env["G2P_EXTENSIONS"]
    registry_only.restart()

    assert {"bank", "bank_account"} <= _tables(registry_only.database_url)
    with registry_only.client() as client:
        assert ok(client.get(f"/individual/{created['id']}"))["bank_ids"] == []
        added = ok(client.post(accounts_path(created["id"]), json=bank_item()), 201)
        assert ok(client.get(f"/individual/{created['id']}"))["bank_ids"] == [added | {"primary": True}]


def test_extension_disabled_later_leaves_its_data_and_the_registry_running(registry_only: LiveServer) -> None:
    """A database the bank extension migrated still starts without it, and keeps its accounts."""
    with registry_only.client() as client:
        created = create_individual(client, individual(bank_ids=[bank_item()]))
        assert len(created["bank_ids"]) == 1

    registry_only.extra_env["G2P_EXTENSIONS"] = ""
    registry_only.restart()
    with registry_only.client() as client:
        assert "bank_ids" not in ok(client.get(f"/individual/{created['id']}"))

    del registry_only.extra_env["G2P_EXTENSIONS"]
    registry_only.restart()
    with registry_only.client() as client:
        assert ok(client.get(f"/individual/{created['id']}"))["bank_ids"] == created["bank_ids"]
