"""Finding or creating the bank an item names: by BIC when given, else by name ignoring case and
spacing; a bank with a BIC is a bank of its own even when a BIC-less bank has its name."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bank_item, individual, random_bic, unique_value, update

from .api import create_individual, update_individuals
from .database import Database

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process


def test_spellings_of_one_name_find_one_bank(client: httpx.Client, database: Database) -> None:
    name = unique_value("Bank ")
    spellings = [f"  {name} ", name.upper(), name.lower().replace(" ", "   "), name.replace(" ", "\u00a0 ")]
    answers = [create_individual(client, individual(bank_ids=[bank_item(bank_name=s)])) for s in spellings]

    [(_, stored_name, bic)] = database.banks_named(name)
    assert (stored_name, bic) == (name, None)
    assert {answer["bank_ids"][0]["bank_name"] for answer in answers} == {name}


def test_one_request_naming_a_new_bank_twice_creates_it_once(
    client: httpx.Client, database: Database
) -> None:
    name = unique_value("Bank ")
    created = create_individual(
        client, individual(bank_ids=[bank_item(bank_name=name), bank_item(bank_name=f" {name.upper()}")])
    )
    assert len(database.banks_named(name)) == 1
    assert {account["bank_name"] for account in created["bank_ids"]} == {name}


def test_new_bank_is_created_with_the_trimmed_name(client: httpx.Client, database: Database) -> None:
    name = unique_value("Bank ")
    create_individual(client, individual(bank_ids=[bank_item(bank_name=f"   {name}  ")]))
    assert [row[1] for row in database.banks_named(name)] == [name]


def test_bic_finds_the_bank_whatever_the_name(client: httpx.Client, database: Database) -> None:
    bic = random_bic()
    first = create_individual(
        client, individual(bank_ids=[bank_item(bank_name="Equity Bank Kenya", bic=bic)])
    )
    second = create_individual(
        client, individual(bank_ids=[bank_item(bank_name="EQUITY (Nairobi branch)", bic=bic.lower())])
    )

    for answer in (first, second):
        [account] = answer["bank_ids"]
        assert (account["bank_name"], account["bic"]) == ("Equity Bank Kenya", bic)


def test_unknown_bic_creates_a_bank_even_if_a_bic_less_bank_has_the_name(
    client: httpx.Client, database: Database
) -> None:
    name = unique_value("Bank ")
    create_individual(client, individual(bank_ids=[bank_item(bank_name=name)]))
    bic = random_bic()
    created = create_individual(client, individual(bank_ids=[bank_item(bank_name=name, bic=bic)]))

    assert [row[2] for row in database.banks_named(name)] == [None, bic]
    assert created["bank_ids"][0]["bic"] == bic
    # Without a BIC the name keeps naming the BIC-less bank.
    by_name = create_individual(client, individual(bank_ids=[bank_item(bank_name=name.upper())]))
    assert by_name["bank_ids"][0]["bic"] is None
    assert len(database.banks_named(name)) == 2


def test_name_without_bic_finds_a_bank_known_only_with_its_bic(
    client: httpx.Client, database: Database
) -> None:
    name, bic = unique_value("Bank "), random_bic()
    create_individual(client, individual(bank_ids=[bank_item(bank_name=name, bic=bic)]))

    by_name = create_individual(client, individual(bank_ids=[bank_item(bank_name=f" {name.lower()} ")]))
    assert (by_name["bank_ids"][0]["bank_name"], by_name["bank_ids"][0]["bic"]) == (name, bic)
    assert len(database.banks_named(name)) == 1


def test_resending_an_account_with_another_bank_moves_it(client: httpx.Client) -> None:
    sent = bank_item()
    body = individual(bank_ids=[sent])
    create_individual(client, body)
    bic = random_bic()

    [updated] = update_individuals(
        client, [update(body, bank_ids=[sent | {"bank_name": "Moved", "bic": bic}])]
    )
    [account] = updated["bank_ids"]
    assert (account["bank_name"], account["bic"]) == ("Moved", bic)
