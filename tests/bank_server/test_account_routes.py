"""The account sub-resource: GET/POST/PUT /registrant/{id}/bank_accounts and
DELETE /registrant/{id}/bank_accounts/{account_id}, with HTTP semantics."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bank_item, group, individual, member, spaced_lowercase

from .api import accounts_path, create_group, create_individual, listed_accounts, numbers, ok, primary_flags
from .database import Database

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process

UNKNOWN_REGISTRANT = 2_000_000_000


def test_post_creates_an_account_201_then_updates_it_200(client: httpx.Client, database: Database) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item()]))
    path = accounts_path(registrant["id"])
    sent = bank_item(acc_holder_name="Achieng")

    created = ok(client.post(path, json=sent), 201)
    assert (created["acc_number"], created["acc_holder_name"], created["primary"]) == (
        sent["acc_number"],
        "Achieng",
        False,
    )
    again = bank_item(acc_number=spaced_lowercase(sent["acc_number"]), acc_holder_name="A. Odhiambo")
    updated = ok(client.post(path, json=again), 200)

    assert updated["id"] == created["id"]
    assert (updated["bank_name"], updated["acc_holder_name"]) == (again["bank_name"], "A. Odhiambo")
    assert len(database.accounts_of(registrant["id"])) == 2
    listed = numbers(listed_accounts(client, registrant["id"]))
    assert listed == [*numbers(registrant["bank_ids"]), sent["acc_number"]]


def test_post_with_primary_puts_the_account_first(client: httpx.Client) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item(), bank_item()]))
    path = accounts_path(registrant["id"])

    created = ok(client.post(path, json=bank_item(primary=True)), 201)
    assert created["primary"] is True
    listed = listed_accounts(client, registrant["id"])
    assert listed[0]["id"] == created["id"]
    assert primary_flags(listed) == [True, False, False]

    existing = registrant["bank_ids"][1]
    made_primary = ok(client.post(path, json=bank_item(acc_number=existing["acc_number"], primary=True)), 200)
    assert made_primary["id"] == existing["id"]
    assert made_primary["primary"] is True
    assert primary_flags(listed_accounts(client, registrant["id"])) == [True, False, False]


def test_post_of_an_archived_number_reactivates_it_200(client: httpx.Client, database: Database) -> None:
    sent = bank_item()
    registrant = create_individual(client, individual(bank_ids=[sent]))
    [account] = registrant["bank_ids"]
    ok(client.delete(f"{accounts_path(registrant['id'])}/{account['id']}"), 204)
    assert listed_accounts(client, registrant["id"]) == []

    revived = ok(client.post(accounts_path(registrant["id"]), json=sent), 200)
    assert revived["id"] == account["id"]
    assert [a["id"] for a in listed_accounts(client, registrant["id"])] == [account["id"]]
    assert database.accounts_of(registrant["id"]) == [(account["id"], sent["acc_number"], True)]


def test_put_makes_the_list_exactly_the_active_accounts(client: httpx.Client, database: Database) -> None:
    kept, dropped, added = bank_item(), bank_item(), bank_item(primary=True)
    registrant = create_individual(client, individual(bank_ids=[kept, dropped]))
    path = accounts_path(registrant["id"])

    answer = ok(client.put(path, json=[kept | {"acc_holder_name": "Kept"}, added]))

    assert numbers(answer) == [added["acc_number"], kept["acc_number"]]
    assert answer[1]["acc_holder_name"] == "Kept"
    assert listed_accounts(client, registrant["id"]) == answer
    dropped_id = registrant["bank_ids"][1]["id"]
    assert (dropped_id, dropped["acc_number"], False) in database.accounts_of(registrant["id"])
    assert ok(client.get(f"/individual/{registrant['id']}"))["bank_ids"] == answer

    # The same PUT again changes nothing; an empty list archives everything.
    assert ok(client.put(path, json=[kept | {"acc_holder_name": "Kept"}, added])) == answer
    assert ok(client.put(path, json=[])) == []
    assert [row[2] for row in database.accounts_of(registrant["id"])] == [False, False, False]


def test_put_of_archived_numbers_reactivates_them(client: httpx.Client) -> None:
    first, second = bank_item(), bank_item()
    registrant = create_individual(client, individual(bank_ids=[first, second]))
    path = accounts_path(registrant["id"])
    ok(client.put(path, json=[]))

    answer = ok(client.put(path, json=[second, first]))
    assert [a["id"] for a in answer] == [a["id"] for a in registrant["bank_ids"]]


def test_delete_archives_and_the_next_account_becomes_primary(
    client: httpx.Client, database: Database
) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item(), bank_item(), bank_item()]))
    path = accounts_path(registrant["id"])
    first, second, third = (account["id"] for account in registrant["bank_ids"])

    response = client.delete(f"{path}/{first}")
    assert response.status_code == 204
    assert response.content == b""
    listed = listed_accounts(client, registrant["id"])
    assert [a["id"] for a in listed] == [second, third]
    assert primary_flags(listed) == [True, False]
    assert [row[2] for row in database.accounts_of(registrant["id"])] == [False, True, True]
    # Archiving an archived account again is harmless.
    assert client.delete(f"{path}/{first}").status_code == 204


def test_group_accounts_are_served_like_an_individuals(client: httpx.Client) -> None:
    created = create_group(client, group(members=[member(bank_ids=[bank_item()])], bank_ids=[bank_item()]))
    path = accounts_path(created["id"])
    assert listed_accounts(client, created["id"]) == created["bank_ids"]

    added = ok(client.post(path, json=bank_item(primary=True)), 201)
    fetched = ok(client.get(f"/group/{created['id']}"))
    assert fetched["bank_ids"][0]["id"] == added["id"]
    member_id = created["group_membership_ids"][0]["individual"]["id"]
    assert listed_accounts(client, member_id) == created["group_membership_ids"][0]["individual"]["bank_ids"]


@pytest.mark.parametrize("registrant_id", [UNKNOWN_REGISTRANT, 0, -1, 10**30])
def test_unknown_registrant_is_404_on_every_route(client: httpx.Client, registrant_id: int) -> None:
    path = accounts_path(registrant_id)
    assert client.get(path).status_code == 404
    assert client.post(path, json=bank_item()).status_code == 404
    assert client.put(path, json=[bank_item()]).status_code == 404
    assert client.delete(f"{path}/1").status_code == 404


def test_unknown_account_or_another_registrants_account_is_404(client: httpx.Client) -> None:
    owner = create_individual(client, individual(bank_ids=[bank_item()]))
    other = create_individual(client, individual(bank_ids=[bank_item()]))
    owned_id = owner["bank_ids"][0]["id"]

    assert client.delete(f"{accounts_path(other['id'])}/{owned_id}").status_code == 404
    assert client.delete(f"{accounts_path(owner['id'])}/{2_000_000_000}").status_code == 404
    assert client.delete(f"{accounts_path(owner['id'])}/{10**30}").status_code == 404
    assert listed_accounts(client, owner["id"]) == owner["bank_ids"]


def test_path_ids_that_are_not_numbers_are_422(client: httpx.Client) -> None:
    assert client.get("/registrant/abc/bank_accounts").status_code == 422
    assert client.delete("/registrant/1/bank_accounts/abc").status_code == 422


def test_every_account_route_requires_authentication(anonymous: httpx.Client) -> None:
    path = accounts_path(1)
    for response in (
        anonymous.get(path),
        anonymous.post(path, json=bank_item()),
        anonymous.put(path, json=[]),
        anonymous.delete(f"{path}/1"),
        anonymous.get(path, auth=("admin", "wrong password")),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Basic"


def test_openapi_documents_the_routes_and_bank_ids(client: httpx.Client) -> None:
    document = ok(client.get("/openapi.json"))
    paths = document["paths"]
    assert set(paths["/registrant/{registrant_id}/bank_accounts"]) == {"get", "post", "put"}
    assert set(paths["/registrant/{registrant_id}/bank_accounts/{account_id}"]) == {"delete"}
    schemas = document["components"]["schemas"]
    for name in (
        "IndividualInfoRequest",
        "GroupInfoRequest",
        "GroupMembersInfoRequest",
        "UpdateIndividualInfoRequest",
    ):
        assert "bank_ids" in schemas[name]["properties"], name
        assert "bank_ids" not in schemas[name].get("required", []), name
    for name in ("IndividualInfoResponse", "GroupInfoResponse", "UpdateIndividualInfoResponse"):
        assert "bank_ids" in schemas[name]["properties"], name
    assert {"BankDetailsRequest", "BankDetailsResponse"} <= set(schemas)
