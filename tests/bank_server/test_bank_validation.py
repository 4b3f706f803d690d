"""Invalid bank-account items: 422 naming the exact item and field, on every route that takes
them, with account numbers masked, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.factories import bank_item, group, iban_number, individual, member, update

from .api import BY_NATIONAL_ID, UPDATE_PATH, accounts_path, create_individual, listed_accounts, ok
from .database import Database

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process

BAD_IBAN = "DE89 3704 0044 0532 0130 01"


def _without(field: str) -> Callable[[dict], dict]:
    return lambda sent: {key: value for key, value in sent.items() if key != field}


def _with(field: str, value: Any) -> Callable[[dict], dict]:
    return lambda sent: sent | {field: value}


# (how the second item is spoiled, the field the error names)
BAD_ITEMS = {
    "bank name missing": (_without("bank_name"), "bank_name"),
    "bank name blank": (_with("bank_name", "  "), "bank_name"),
    "bank name too long": (_with("bank_name", "B" * 256), "bank_name"),
    "bank name with control character": (_with("bank_name", "Bank\x07"), "bank_name"),
    "number missing": (_without("acc_number"), "acc_number"),
    "number blank": (_with("acc_number", " "), "acc_number"),
    "number too long": (_with("acc_number", "1" * 65), "acc_number"),
    "number without letters or digits": (_with("acc_number", "-/-"), "acc_number"),
    "number not a string": (_with("acc_number", 12345678), "acc_number"),
    "IBAN with wrong checksum": (_with("acc_number", BAD_IBAN), "acc_number"),
    "BIC too short": (_with("bic", "DEUT"), "bic"),
    "BIC of no country": (_with("bic", "DEUTZZFF"), "bic"),
    "holder name too long": (_with("acc_holder_name", "H" * 256), "acc_holder_name"),
    "primary not a boolean": (_with("primary", "maybe"), "primary"),
}


def _items_with_bad_second(spoil: Callable[[dict], dict]) -> tuple[list[dict], dict]:
    good = bank_item()
    return [good, spoil(bank_item())], good


def _locations(response: httpx.Response) -> list[list]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


@pytest.fixture
def unchanged(database: Database):
    """Asserts, after the test's refused requests, that no row was added or removed."""
    before = database.row_counts()
    yield
    assert database.row_counts() == before


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("spoil", "field"), BAD_ITEMS.values(), ids=BAD_ITEMS.keys())
def test_bad_item_of_a_new_individual(
    client: httpx.Client, database: Database, spoil: Callable[[dict], dict], field: str
) -> None:
    items, good = _items_with_bad_second(spoil)
    response = client.post("/individual", json=individual(bank_ids=items))
    assert _locations(response) == [["body", "bank_ids", 1, field]]
    # The valid item's new bank was not created either.
    assert database.banks_named(good["bank_name"]) == []


@pytest.mark.usefixtures("unchanged")
def test_bad_item_of_a_group_member_and_of_the_group(client: httpx.Client) -> None:
    members = [
        member(bank_ids=[bank_item(bic="XX")]),
        member(bank_ids=[bank_item(), bank_item(acc_number=BAD_IBAN)]),
    ]
    response = client.post("/group", json=group(members=members, bank_ids=[bank_item(bank_name="")]))
    assert sorted(_locations(response), key=str) == sorted(
        [
            ["body", "bank_ids", 0, "bank_name"],
            ["body", "members", 0, "bank_ids", 0, "bic"],
            ["body", "members", 1, "bank_ids", 1, "acc_number"],
        ],
        key=str,
    )


@pytest.mark.parametrize(("spoil", "field"), BAD_ITEMS.values(), ids=BAD_ITEMS.keys())
def test_bad_item_in_an_update_list(
    client: httpx.Client, database: Database, spoil: Callable[[dict], dict], field: str
) -> None:
    first_body, second_body = individual(bank_ids=[bank_item()]), individual(bank_ids=[bank_item()])
    first = create_individual(client, first_body)
    create_individual(client, second_body)
    before = database.row_counts()
    items, _ = _items_with_bad_second(spoil)

    response = client.put(
        UPDATE_PATH,
        params=BY_NATIONAL_ID,
        json=[
            update(first_body, bank_ids=[bank_item()], name="CHANGED"),
            update(second_body, bank_ids=items),
        ],
    )

    assert _locations(response) == [["body", 1, "bank_ids", 1, field]]
    assert database.row_counts() == before
    assert ok(client.get(f"/individual/{first['id']}")) == first


@pytest.mark.usefixtures("unchanged")
def test_same_number_twice_in_one_request_is_refused_at_the_second(client: httpx.Client) -> None:
    number = iban_number()
    items = [
        bank_item(acc_number=number),
        bank_item(),
        bank_item(acc_number=f" {number[:4].lower()}-{number[4:]} "),
    ]
    response = client.post("/individual", json=individual(bank_ids=items))
    assert _locations(response) == [["body", "bank_ids", 2, "acc_number"]]
    assert number not in response.text


@pytest.mark.usefixtures("unchanged")
def test_two_primary_items_are_refused(client: httpx.Client) -> None:
    response = client.post(
        "/individual", json=individual(bank_ids=[bank_item(primary=True), bank_item(primary=True)])
    )
    assert _locations(response) == [["body", "bank_ids", 1, "primary"]]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("bank_ids", "location"),
    [
        ("DE89370400440532013000", ["body", "bank_ids"]),
        ({"bank_name": "Bank", "acc_number": "123"}, ["body", "bank_ids"]),
        (["DE89370400440532013000"], ["body", "bank_ids", 0]),
        ([bank_item(acc_number=str(number)) for number in range(101)], ["body", "bank_ids"]),
    ],
    ids=["string", "object", "list of strings", "over 100 items"],
)
def test_bank_ids_of_the_wrong_shape(client: httpx.Client, bank_ids: Any, location: list) -> None:
    response = client.post("/individual", json=individual() | {"bank_ids": bank_ids})
    assert _locations(response) == [location]


def test_bad_iban_error_names_the_rule_not_the_number(client: httpx.Client) -> None:
    response = client.post("/individual", json=individual(bank_ids=[bank_item(acc_number=BAD_IBAN)]))
    [error] = response.json()["detail"]
    assert "checksum" in error["msg"].lower()
    assert "input" not in error
    for fragment in (BAD_IBAN, BAD_IBAN.replace(" ", ""), "3704 0044 0532", "37040044"):
        assert fragment not in response.text


@pytest.mark.parametrize(("spoil", "field"), BAD_ITEMS.values(), ids=BAD_ITEMS.keys())
def test_bad_item_posted_to_the_account_routes(
    client: httpx.Client, database: Database, spoil: Callable[[dict], dict], field: str
) -> None:
    created = create_individual(client, individual(bank_ids=[bank_item()]))
    path = accounts_path(created["id"])
    before = database.row_counts()

    assert _locations(client.post(path, json=spoil(bank_item()))) == [["body", field]]
    items, _ = _items_with_bad_second(spoil)
    assert _locations(client.put(path, json=items)) == [["body", 1, field]]

    assert database.row_counts() == before
    assert listed_accounts(client, created["id"]) == created["bank_ids"]


def test_duplicate_numbers_in_a_replacing_list_are_refused(client: httpx.Client, database: Database) -> None:
    created = create_individual(client, individual(bank_ids=[bank_item(), bank_item()]))
    number = iban_number()
    response = client.put(
        accounts_path(created["id"]), json=[bank_item(acc_number=number), bank_item(acc_number=number)]
    )
    assert _locations(response) == [["body", 1, "acc_number"]]
    assert listed_accounts(client, created["id"]) == created["bank_ids"]
