"""Scopes on a real server with two workers (bank and bulk extensions enabled): every route refuses
a caller without its scope with 403 naming it and writes nothing; answers hide, mask or reveal
account numbers by the caller's scopes; a key holds only its user's scopes; a scope taken away,
or a user deactivated, counts on the next request in every worker."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.factories import bank_item, group, individual, member, update
from tests.registry_server.cli import EVERY_EXTENSION, new_user, run_cli
from tests.support.live_server import LiveServer

from .database import Database

# Fresh connections spread requests over both workers.
ATTEMPTS = 8


@pytest.fixture(scope="module")
def pool(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(workers=2)


@pytest.fixture(scope="module")
def database(pool: LiveServer):
    db = Database(pool.database_url)
    yield db
    db.dispose()


def _cli(server: LiveServer, *args: str, stdin: str = ""):
    return run_cli(server.database_url, *args, stdin=stdin, **EVERY_EXTENSION)


def _user(server: LiveServer, name: str, *scopes: str) -> tuple[str, str]:
    password = f"{name} password"
    new_user(server.database_url, name, password, *scopes, **EVERY_EXTENSION)
    return name, password


def _as(server: LiveServer, auth: tuple[str, str]) -> httpx.Client:
    return httpx.Client(base_url=server.api_url, auth=auth, timeout=60)


@pytest.fixture(scope="module")
def callers(pool: LiveServer) -> dict[str, tuple[str, str]]:
    return {
        "reader": _user(pool, "reader", "registry:read"),
        "masked": _user(pool, "masked", "registry:read", "bank:read"),
        "revealer": _user(pool, "revealer", "registry:read", "bank:read", "bank:reveal"),
        "enroller": _user(pool, "enroller", "registry:read", "registry:write"),
        "bank_writer": _user(pool, "bank-writer", "bank:write"),
        "nothing": _user(pool, "nothing", "audit:read"),
    }


@pytest.fixture(scope="module")
def household(pool: LiveServer) -> dict:
    """A group with an account and a member with an account, created by the admin (every scope)."""
    body = group(
        members=[member(bank_ids=[bank_item()])], bank_ids=[bank_item(acc_number="DE89370400440532013000")]
    )
    with pool.client() as admin:
        created = admin.post("/group", json=body)
    assert created.status_code == 200, created.text
    return created.json()


def _numbers_in(answer: object) -> list[str]:
    """Every acc_number anywhere in an answer."""
    if isinstance(answer, list):
        return [number for element in answer for number in _numbers_in(element)]
    if isinstance(answer, dict):
        own = [answer["acc_number"]] if isinstance(answer.get("acc_number"), str) else []
        return own + [number for value in answer.values() for number in _numbers_in(value)]
    return []


def _registrant_reads(household: dict) -> list[tuple[str, dict]]:
    member_id = household["group_membership_ids"][0]["individual"]["id"]
    return [
        (f"/group/{household['id']}", {}),
        ("/group", {"_id": household["id"], "include_members_full": True}),
        (f"/individual/{member_id}", {}),
        ("/individual", {"_id": member_id}),
    ]


def test_without_bank_read_accounts_are_null_not_empty(pool, callers, household) -> None:
    with _as(pool, callers["reader"]) as reader:
        answer = reader.get(f"/group/{household['id']}").json()
        assert answer["bank_ids"] is None
        assert answer["group_membership_ids"][0]["individual"]["bank_ids"] is None
        for path, params in _registrant_reads(household):
            response = reader.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
            assert _numbers_in(response.json()) == [], path
        forbidden = reader.get(f"/registrant/{household['id']}/bank_accounts")
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "detail": "Missing scope bank:read: needed for GET /registrant/{registrant_id}/bank_accounts"
    }


def test_bank_read_sees_masked_numbers_everywhere(pool, callers, household) -> None:
    full = {account["acc_number"] for account in household["bank_ids"]}
    full |= {a["acc_number"] for m in household["group_membership_ids"] for a in m["individual"]["bank_ids"]}
    assert "DE89370400440532013000" in full
    with _as(pool, callers["masked"]) as masked:
        answers = [masked.get(path, params=params) for path, params in _registrant_reads(household)]
        answers.append(masked.get(f"/registrant/{household['id']}/bank_accounts"))
        for response in answers:
            assert response.status_code == 200, response.text
            numbers = _numbers_in(response.json())
            assert numbers, response.url
            assert all(number.startswith("…") and len(number) == 5 for number in numbers), numbers
            assert not full & set(numbers)
        own = masked.get(f"/group/{household['id']}").json()["bank_ids"]
    assert own[0]["acc_number"] == "…3000"
    assert own[0]["masked"] is True
    with pool.client() as admin:
        listed = admin.get(f"/registrant/{household['id']}/bank_accounts").json()
    assert listed[0]["acc_number"] == "DE89370400440532013000"
    assert listed[0]["masked"] is False


def test_bank_reveal_sees_full_numbers_and_the_payment_list(pool, callers, household) -> None:
    with _as(pool, callers["revealer"]) as revealer:
        answer = revealer.get(f"/group/{household['id']}").json()
        assert answer["bank_ids"][0] | {"id": 0} == household["bank_ids"][0] | {"id": 0}
        assert answer["bank_ids"][0]["masked"] is False
        assert revealer.get("/payment_accounts").status_code == 200
    with _as(pool, callers["masked"]) as masked:
        refused = masked.get("/payment_accounts")
    assert refused.status_code == 403
    assert "bank:reveal" in refused.json()["detail"]


WRITES = [
    ("POST", "/individual", lambda h: individual()),
    ("POST", "/group", lambda h: group(members=[member()])),
    ("PUT", "/update_individual?id_type=National+ID", lambda h: [update(individual())]),
    ("POST", "/bulk/individual?id_type=National+ID", lambda h: [individual()]),
]
BANK_WRITES = [
    ("POST", "/registrant/{id}/bank_accounts", lambda h: bank_item()),
    ("PUT", "/registrant/{id}/bank_accounts", lambda h: [bank_item()]),
    ("DELETE", "/registrant/{id}/bank_accounts/{account}", lambda h: None),
]


def test_read_only_caller_is_refused_every_write_and_nothing_changes(
    pool, callers, household, database: Database
) -> None:
    before = (database.row_counts(), database.accounts_of(household["id"]))
    path_values = {"id": household["id"], "account": household["bank_ids"][0]["id"]}
    with _as(pool, callers["revealer"]) as reader:
        for method, path, body in WRITES + BANK_WRITES:
            response = reader.request(method, path.format(**path_values), json=body(household))
            assert response.status_code == 403, (method, path, response.text)
            scope = "registry:write" if (method, path, body) in WRITES else "bank:write"
            assert response.json()["detail"].startswith(f"Missing scope {scope}"), response.text
    assert (database.row_counts(), database.accounts_of(household["id"])) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/individual", lambda: individual(bank_ids=[bank_item()])),
        ("POST", "/group", lambda: group(members=[member(bank_ids=[bank_item()])])),
        ("POST", "/group", lambda: group(members=[member()], bank_ids=[bank_item()])),
        (
            "POST",
            "/bulk/individual?id_type=National+ID",
            lambda: [individual(), individual(bank_ids=[bank_item()])],
        ),
    ],
)
def test_bank_ids_without_bank_write_refuse_the_whole_request(
    pool, callers, database: Database, method, path, body
) -> None:
    before = database.row_counts()
    with _as(pool, callers["enroller"]) as enroller:
        response = enroller.request(method, path, json=body())
        assert response.status_code == 403, response.text
        assert response.json() == {"detail": "Missing scope bank:write: needed for bank_ids in a request"}
        # The same request without accounts is welcome; empty or null bank_ids write nothing.
        assert enroller.post("/individual", json=individual(bank_ids=[])).status_code == 200
    assert database.row_counts()["bank_account"] == before["bank_account"]


def test_update_carrying_accounts_needs_bank_write(pool, callers, database: Database) -> None:
    body = individual()
    with pool.client() as admin:
        assert admin.post("/individual", json=body).status_code == 200
    before = database.row_counts()
    with _as(pool, callers["enroller"]) as enroller:
        refused = enroller.put(
            "/update_individual",
            params={"id_type": "National ID"},
            json=[update(body, bank_ids=[bank_item()])],
        )
        assert refused.status_code == 403
        renamed = enroller.put(
            "/update_individual", params={"id_type": "National ID"}, json=[update(body, name="NEW, Name")]
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()[0]["bank_ids"] is None, "no bank:read: not visible"
    assert database.row_counts()["bank_account"] == before["bank_account"]


def test_bank_writer_writes_accounts_and_sees_them_masked(pool, callers, household) -> None:
    sent = bank_item()
    with _as(pool, callers["bank_writer"]) as writer:
        created = writer.post(f"/registrant/{household['id']}/bank_accounts", json=sent)
        assert created.status_code == 201, created.text
        assert created.json()["acc_number"] == "…" + sent["acc_number"][-4:]
        assert created.json()["masked"] is True
        assert writer.get(f"/group/{household['id']}").status_code == 403, "no registry:read"
        deleted = writer.delete(f"/registrant/{household['id']}/bank_accounts/{created.json()['id']}")
        assert deleted.status_code == 204


def _statuses(server: LiveServer, auth: tuple[str, str], path: str) -> set[int]:
    return {httpx.get(f"{server.api_url}{path}", auth=auth, timeout=30).status_code for _ in range(ATTEMPTS)}


def test_key_is_capped_by_its_user_and_changes_count_next_request(pool, callers, household) -> None:
    user, password = _user(pool, "call-centre", "registry:read", "bank:read", "bank:reveal")
    refused = _cli(pool, "api-key", "create", user, "--scope", "registry:write")
    assert refused.returncode == 2
    assert "does not hold the scope(s) registry:write" in refused.stderr
    created = _cli(pool, "api-key", "create", user, "--scope", "registry:read")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    path = f"/group/{household['id']}"
    assert _statuses(pool, (user, password), f"/registrant/{household['id']}/bank_accounts") == {200}
    # The key holds registry:read only: accounts not visible, though its user sees them.
    with _as(pool, (user, key)) as keyed:
        assert keyed.get(path).json()["bank_ids"] is None
        assert keyed.get(f"/registrant/{household['id']}/bank_accounts").status_code == 403
    # bank:reveal brings bank:read: full numbers, and the sub-resource's reads.
    assert _cli(pool, "api-key", "scopes", key[:12], "--add", "bank:reveal").returncode == 0
    with _as(pool, (user, key)) as keyed:
        assert keyed.get(path).json()["bank_ids"][0]["masked"] is False
        assert keyed.get(f"/registrant/{household['id']}/bank_accounts").status_code == 200

    # Taken from the user: the next request, in every worker, by password (cached) and by key.
    assert _statuses(pool, (user, password), path) == {200}, "cached in both workers"
    taken = _cli(pool, "users", "scopes", user, "--remove", "registry:read")
    assert taken.returncode == 0, taken.stderr
    assert _statuses(pool, (user, password), path) == {403}
    assert _statuses(pool, (user, key), path) == {403}
    assert _cli(pool, "users", "scopes", user, "--add", "registry:read").returncode == 0
    assert _statuses(pool, (user, key), path) == {200}

    # A deactivated user's key is refused at once.
    assert _cli(pool, "users", "deactivate", user).returncode == 0
    assert _statuses(pool, (user, key), path) == {401}
    assert _statuses(pool, (user, password), path) == {401}
    assert _cli(pool, "users", "activate", user).returncode == 0
    assert _statuses(pool, (user, key), path) == {200}


def test_openapi_names_each_route_scope_with_its_403(pool) -> None:
    document = httpx.get(f"{pool.api_url}/openapi.json", timeout=30).json()
    expected = {
        ("get", "/registrant/{registrant_id}/bank_accounts"): "bank:read",
        ("post", "/registrant/{registrant_id}/bank_accounts"): "bank:write",
        ("put", "/registrant/{registrant_id}/bank_accounts"): "bank:write",
        ("delete", "/registrant/{registrant_id}/bank_accounts/{account_id}"): "bank:write",
        ("get", "/payment_accounts"): "bank:reveal",
        ("post", "/bulk/individual"): "registry:write",
        ("get", "/individual"): "registry:read",
        ("post", "/group"): "registry:write",
    }
    for (method, path), scope in expected.items():
        operation = document["paths"][path][method]
        assert operation["security"] == [{"HTTPBasic": [scope]}], (method, path)
        assert "403" in operation["responses"], (method, path)
    bank_ids = document["components"]["schemas"]["IndividualInfoResponse"]["properties"]["bank_ids"]
    assert {"type": "null"} in bank_ids["anyOf"]
