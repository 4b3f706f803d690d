"""bank_ids on registrants: created with individuals, groups and members, merged by updates, and
answered on every registrant (active accounts, primary first)."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bank_item, group, iban_number, individual, member, spaced_lowercase, update

from .api import (
    accounts_path,
    create_group,
    create_individual,
    listed_accounts,
    numbers,
    ok,
    primary_flags,
    update_individuals,
)
from .database import Database

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process

ANSWER_KEYS = {"id", "bank_name", "bic", "acc_number", "acc_holder_name", "primary", "shared", "masked"}


def test_individual_created_with_accounts_answers_them_primary_first(client: httpx.Client) -> None:
    first, second = bank_item(acc_holder_name="Achieng Odhiambo"), bank_item(primary=True)
    created = create_individual(client, individual(bank_ids=[first, second]))

    accounts = created["bank_ids"]
    assert numbers(accounts) == [second["acc_number"], first["acc_number"]]
    assert primary_flags(accounts) == [True, False]
    assert all(set(account) == ANSWER_KEYS for account in accounts)
    assert accounts[1]["bank_name"] == first["bank_name"]
    assert accounts[1]["acc_holder_name"] == "Achieng Odhiambo"
    assert accounts[1]["bic"] is None
    assert [account["shared"] for account in accounts] == [False, False]


def test_every_read_of_an_individual_answers_the_same_accounts(client: httpx.Client) -> None:
    name = f"WANJIKU, {iban_number()[-6:]}"
    created = create_individual(
        client, individual(name=name, bank_ids=[bank_item(), bank_item(primary=True)])
    )
    expected = created["bank_ids"]

    assert ok(client.get(f"/individual/{created['id']}"))["bank_ids"] == expected
    [found] = ok(client.get("/individual", params={"name": name}))
    assert found["bank_ids"] == expected
    assert listed_accounts(client, created["id"]) == expected


def test_without_primary_the_oldest_account_comes_first(client: httpx.Client) -> None:
    first, second, third = bank_item(), bank_item(), bank_item()
    created = create_individual(client, individual(bank_ids=[first, second, third]))
    assert numbers(created["bank_ids"]) == [first["acc_number"], second["acc_number"], third["acc_number"]]
    assert primary_flags(created["bank_ids"]) == [True, False, False]


def test_registrant_without_bank_details_answers_an_empty_list(client: httpx.Client) -> None:
    created = create_individual(client, individual())
    assert created["bank_ids"] == []
    assert create_individual(client, individual(bank_ids=[]))["bank_ids"] == []
    assert create_individual(client, individual(bank_ids=None) | {"bank_ids": None})["bank_ids"] == []


def test_group_and_each_member_get_their_own_accounts(client: httpx.Client) -> None:
    group_item, head_item, spouse_items = bank_item(), bank_item(), [bank_item(), bank_item(primary=True)]
    body = group(
        bank_ids=[group_item],
        members=[
            member(bank_ids=[head_item]),
            member(name="OTIENO, Akinyi", kind=[{"name": "Spouse"}], bank_ids=spouse_items),
            member(name="OTIENO, Child", kind=[{"name": "Child"}]),
        ],
    )
    created = create_group(client, body)

    assert numbers(created["bank_ids"]) == [group_item["acc_number"]]
    members = [membership["individual"] for membership in created["group_membership_ids"]]
    assert [numbers(m["bank_ids"]) for m in members] == [
        [head_item["acc_number"]],
        [spouse_items[1]["acc_number"], spouse_items[0]["acc_number"]],
        [],
    ]
    assert primary_flags(members[1]["bank_ids"]) == [True, False]

    fetched = ok(client.get(f"/group/{created['id']}"))
    assert fetched["bank_ids"] == created["bank_ids"]
    assert [m["individual"]["bank_ids"] for m in fetched["group_membership_ids"]] == [
        m["bank_ids"] for m in members
    ]
    [searched] = ok(client.get("/group", params={"_id": created["id"], "include_members_full": True}))
    assert [m["individual"]["bank_ids"] for m in searched["group_membership_ids"]] == [
        m["bank_ids"] for m in members
    ]
    assert ok(client.get(f"/individual/{members[1]['id']}"))["bank_ids"] == members[1]["bank_ids"]
    assert listed_accounts(client, created["id"]) == created["bank_ids"]


def test_update_without_bank_ids_or_with_null_leaves_accounts_alone(client: httpx.Client) -> None:
    body = individual(bank_ids=[bank_item(), bank_item()])
    created = create_individual(client, body)

    [updated] = update_individuals(client, [update(body, email="achieng@example.org")])
    assert updated["bank_ids"] == created["bank_ids"]
    [updated] = update_individuals(client, [update(body, bank_ids=None)])
    assert updated["bank_ids"] == created["bank_ids"]
    [updated] = update_individuals(client, [update(body, bank_ids=[])])
    assert updated["bank_ids"] == created["bank_ids"]


def test_update_merges_new_accounts_and_keeps_unlisted_ones(client: httpx.Client) -> None:
    kept, added = bank_item(), bank_item()
    body = individual(bank_ids=[kept])
    create_individual(client, body)

    [updated] = update_individuals(client, [update(body, bank_ids=[added])])
    assert numbers(updated["bank_ids"]) == [kept["acc_number"], added["acc_number"]]


def test_resending_an_account_in_another_spelling_updates_it(
    client: httpx.Client, database: Database
) -> None:
    sent = bank_item()
    body = individual(bank_ids=[sent])
    created = create_individual(client, body)
    [account] = created["bank_ids"]

    resent = bank_item(acc_number=spaced_lowercase(sent["acc_number"]), acc_holder_name="A. Odhiambo")
    [updated] = update_individuals(client, [update(body, bank_ids=[resent])])

    [answered] = updated["bank_ids"]
    assert answered["id"] == account["id"]
    assert answered["bank_name"] == resent["bank_name"]
    assert answered["acc_holder_name"] == "A. Odhiambo"
    # The account keeps the number as first stored: its identity did not change.
    assert answered["acc_number"] == sent["acc_number"]
    assert len(database.accounts_of(created["id"])) == 1


def test_holder_name_left_out_or_null_is_kept_and_only_put_of_the_list_clears_it(
    client: httpx.Client,
) -> None:
    # CONTRACT.md section 2: inside a merged item, absent or null keeps the stored value.
    sent = bank_item(acc_holder_name="Achieng O.")
    body = individual(bank_ids=[sent])
    created = create_individual(client, body)

    without_holder = {"bank_name": sent["bank_name"], "acc_number": sent["acc_number"]}
    [updated] = update_individuals(client, [update(body, bank_ids=[without_holder])])
    assert updated["bank_ids"][0]["acc_holder_name"] == "Achieng O."
    [updated] = update_individuals(
        client, [update(body, bank_ids=[without_holder | {"acc_holder_name": None}])]
    )
    assert updated["bank_ids"][0]["acc_holder_name"] == "Achieng O."
    posted = client.post(accounts_path(created["id"]), json=without_holder | {"acc_holder_name": None})
    assert ok(posted)["acc_holder_name"] == "Achieng O."
    # PUT states the whole list: what it sends is what is stored.
    [replaced] = ok(
        client.put(accounts_path(created["id"]), json=[without_holder | {"acc_holder_name": None}])
    )
    assert replaced["acc_holder_name"] is None


def test_same_update_twice_equals_once(client: httpx.Client, database: Database) -> None:
    body = individual(bank_ids=[bank_item(), bank_item()])
    created = create_individual(client, body)
    change = update(body, bank_ids=[bank_item(primary=True), bank_item(acc_holder_name="X")])

    [once] = update_individuals(client, [change])
    rows_once = database.accounts_of(created["id"])
    [twice] = update_individuals(client, [change])

    assert twice["bank_ids"] == once["bank_ids"]
    assert database.accounts_of(created["id"]) == rows_once
    assert len(rows_once) == 4


def test_primary_item_makes_an_existing_account_first(client: httpx.Client) -> None:
    first, second, third = bank_item(), bank_item(), bank_item()
    body = individual(bank_ids=[first, second, third])
    create_individual(client, body)

    [updated] = update_individuals(client, [update(body, bank_ids=[third | {"primary": True}])])
    assert numbers(updated["bank_ids"]) == [third["acc_number"], first["acc_number"], second["acc_number"]]
    assert primary_flags(updated["bank_ids"]) == [True, False, False]

    [updated] = update_individuals(client, [update(body, bank_ids=[second | {"primary": True}])])
    assert numbers(updated["bank_ids"])[0] == second["acc_number"]
    # Only one account is primary, whatever was primary before.
    assert primary_flags(updated["bank_ids"]) == [True, False, False]


def test_new_primary_account_goes_first(client: httpx.Client) -> None:
    old = bank_item(primary=True)
    body = individual(bank_ids=[old, bank_item()])
    create_individual(client, body)

    new = bank_item(primary=True)
    [updated] = update_individuals(client, [update(body, bank_ids=[new])])
    assert numbers(updated["bank_ids"])[:2] == [new["acc_number"], old["acc_number"]]


def test_update_of_an_archived_number_reactivates_that_account(
    client: httpx.Client, database: Database
) -> None:
    sent = bank_item()
    body = individual(bank_ids=[sent, bank_item()])
    created = create_individual(client, body)
    archived_id = created["bank_ids"][0]["id"]
    ok(client.delete(f"{accounts_path(created['id'])}/{archived_id}"), 204)
    assert archived_id not in [a["id"] for a in listed_accounts(client, created["id"])]

    again = bank_item(acc_number=spaced_lowercase(sent["acc_number"]))
    [updated] = update_individuals(client, [update(body, bank_ids=[again])])

    assert archived_id in [account["id"] for account in updated["bank_ids"]]
    assert len(database.accounts_of(created["id"])) == 2


def test_one_update_request_merges_each_individuals_accounts(client: httpx.Client) -> None:
    shared_bank = f"Shared {iban_number()[-8:]}"
    first_body, second_body = individual(bank_ids=[bank_item()]), individual()
    create_individual(client, first_body)
    create_individual(client, second_body)
    first_new = bank_item(bank_name=shared_bank)
    second_new = bank_item(bank_name=shared_bank.upper())

    first, second = update_individuals(
        client, [update(first_body, bank_ids=[first_new]), update(second_body, bank_ids=[second_new])]
    )
    assert numbers(first["bank_ids"])[1:] == [first_new["acc_number"]]
    assert numbers(second["bank_ids"]) == [second_new["acc_number"]]
    assert first["bank_ids"][1]["bank_name"] == second["bank_ids"][0]["bank_name"] == shared_bank
    # Each answer is what a read of the individual then shows (built from what the update wrote).
    for answer in (first, second):
        assert ok(client.get(f"/individual/{answer['id']}")) == answer


def test_an_individual_updated_twice_in_one_request_is_answered_twice_as_it_ends(
    client: httpx.Client,
) -> None:
    body = individual(phone_numbers=[{"phone_no": "+254 700 000 001"}])
    create_individual(client, body)
    renamed = f"RENAMED, {iban_number()[-6:]}"
    first, second = update_individuals(
        client,
        [
            update(body, bank_ids=[bank_item()], phone_numbers=[{"phone_no": "+254 700 000 002"}]),
            update(body, name=renamed, bank_ids=[bank_item(primary=True)]),
        ],
    )
    stored = ok(client.get(f"/individual/{first['id']}"))
    assert first == second == stored
    assert stored["name"] == renamed
    assert len(stored["bank_ids"]) == 2
    assert [phone["phone_sanitized"] for phone in stored["phone_number_ids"]] == [
        "+254700000001",
        "+254700000002",
    ]


def test_group_member_accounts_are_updated_like_any_individual(client: httpx.Client) -> None:
    head = member(bank_ids=[bank_item()])
    create_group(client, group(members=[head]))

    added = bank_item(primary=True)
    [updated] = update_individuals(client, [update(head, bank_ids=[added])])
    assert numbers(updated["bank_ids"]) == [added["acc_number"], head["bank_ids"][0]["acc_number"]]
