"""CONTRACT section 2: bank accounts in registrant requests and answers.

Banks are found by BIC, else by name ignoring case and spacing; an account's identity is its
normalized number; updates merge, never duplicate, and are idempotent; the primary account
comes first. Bank identity is observed black-box: a bank keeps the name it was created with,
so a request that names it differently and still gets that name back found the same bank.
"""

from __future__ import annotations

import httpx
import pytest

from tests import factories as make

# Section 2 fields, with `masked` (section 5) and `shared` (section 7).
ACCOUNT_FIELDS = {"id", "bank_name", "bic", "acc_number", "acc_holder_name", "primary", "masked", "shared"}


def _create(api: httpx.Client, ref, items: list[dict]) -> dict:
    return make.created(api.post("/individual", json=make.individual(ref, bank_ids=items)))


def _update(api: httpx.Client, ref, id_value: str, items: list[dict] | None, **fields) -> dict:
    element = make.update(id_value, **fields)
    if items is not None or "bank_ids" in fields:
        element["bank_ids"] = items
    return make.created(api.put("/update_individual", params={"id_type": ref.id_type}, json=[element]))[0]


def test_created_accounts_are_answered_with_every_field(api: httpx.Client, ref) -> None:
    items = [
        make.bank_item(
            acc_number=make.iban_number(spaced=True), bic="deutdeff", acc_holder_name="  Jane Doe "
        ),
        make.bank_item(),
    ]
    answer = _create(api, ref, items)
    accounts = answer["bank_ids"]
    assert [set(account) for account in accounts] == [ACCOUNT_FIELDS, ACCOUNT_FIELDS]
    assert make.numbers_of(answer) == [make.normalized(item["acc_number"]) for item in items]
    assert [account["primary"] for account in accounts] == [True, False]
    assert accounts[0]["bic"] == "DEUTDEFF" and accounts[0]["acc_holder_name"] == "Jane Doe"
    assert make.created(api.get(f"/individual/{answer['id']}"))["bank_ids"] == accounts


def test_bank_found_by_name_ignoring_case_and_spacing(api: httpx.Client, ref) -> None:
    name = make.unique_value("Acme  Savings ")
    first = _create(api, ref, [make.bank_item(bank_name=f"  {name}  ")])
    assert first["bank_ids"][0]["bank_name"] == name, "a new bank takes the trimmed name"
    variant = " ".join(name.upper().split())
    second = _create(api, ref, [make.bank_item(bank_name=f"\t{variant} ")])
    assert second["bank_ids"][0]["bank_name"] == name, "the existing bank was not found"


def test_bank_found_by_bic_whatever_its_name(api: httpx.Client, ref) -> None:
    bic = make.random_bic()
    first = _create(api, ref, [make.bank_item(bic=bic)])
    original = first["bank_ids"][0]["bank_name"]
    second = _create(api, ref, [make.bank_item(bic=bic.lower())])
    assert second["bank_ids"][0]["bank_name"] == original
    assert second["bank_ids"][0]["bic"] == bic


def test_update_merges_by_normalized_number_and_is_idempotent(api: httpx.Client, ref) -> None:
    iban = make.iban_number(spaced=True)
    kept = make.bank_item()
    body = make.individual(ref, bank_ids=[make.bank_item(acc_number=iban), kept])
    created = make.created(api.post("/individual", json=body))
    respelled = iban.replace(" ", "").lower()
    added = make.bank_item()
    items = [make.bank_item(acc_number=respelled, acc_holder_name="New Holder"), added]
    once = _update(api, ref, make.id_value_of(body), items)
    twice = _update(api, ref, make.id_value_of(body), items)
    expected = {
        make.normalized(iban),
        make.normalized(kept["acc_number"]),
        make.normalized(added["acc_number"]),
    }
    for answer in (once, twice, make.created(api.get(f"/individual/{created['id']}"))):
        assert sorted(make.numbers_of(answer)) == sorted(expected)
    merged = next(a for a in twice["bank_ids"] if make.normalized(a["acc_number"]) == make.normalized(iban))
    assert merged["acc_holder_name"] == "New Holder"
    assert merged["id"] == created["bank_ids"][0]["id"], "the existing account was updated, not replaced"
    assert twice["bank_ids"] == once["bank_ids"]


@pytest.mark.parametrize("absent", ["missing", "null"])
def test_update_without_bank_ids_leaves_accounts(api: httpx.Client, ref, absent: str) -> None:
    body = make.individual(ref, bank_ids=[make.bank_item(), make.bank_item()])
    created = make.created(api.post("/individual", json=body))
    fields = {"bank_ids": None} if absent == "null" else {}
    answer = _update(api, ref, make.id_value_of(body), None, name=make.unique_value("Renamed "), **fields)
    assert answer["bank_ids"] == created["bank_ids"]


def test_primary_item_becomes_the_first_account(api: httpx.Client, ref) -> None:
    body = make.individual(ref, bank_ids=[make.bank_item(), make.bank_item()])
    created = make.created(api.post("/individual", json=body))
    newest = make.bank_item(primary=True)
    answer = _update(api, ref, make.id_value_of(body), [newest])
    assert make.numbers_of(answer)[0] == make.normalized(newest["acc_number"])
    assert [a["primary"] for a in answer["bank_ids"]] == [True, False, False]
    older = created["bank_ids"][1]
    again = _update(
        api, ref, make.id_value_of(body), [make.bank_item(acc_number=older["acc_number"], primary=True)]
    )
    assert again["bank_ids"][0]["id"] == older["id"]
    assert len(again["bank_ids"]) == 3


def test_primary_item_in_a_create_comes_first(api: httpx.Client, ref) -> None:
    items = [make.bank_item(), make.bank_item(), make.bank_item(primary=True)]
    answer = _create(api, ref, items)
    assert make.numbers_of(answer)[0] == make.normalized(items[2]["acc_number"])


def test_group_and_member_accounts_are_created(api: httpx.Client, ref) -> None:
    member_items = [make.bank_item(acc_number=make.iban_number(spaced=True))]
    member = make.member(ref, bank_ids=member_items)
    group_items = [make.bank_item()]
    answer = make.created(api.post("/group", json=make.group(ref, members=[member], bank_ids=group_items)))
    assert make.numbers_of(answer) == [make.normalized(group_items[0]["acc_number"])]
    person = make.created(api.get("/individual", params={"name": member["name"]}))[0]
    assert make.numbers_of(person) == [make.normalized(member_items[0]["acc_number"])]


@pytest.mark.standalone_only
def test_member_answers_carry_their_accounts(api: httpx.Client, ref) -> None:
    items = [make.bank_item()]
    answer = make.created(
        api.post("/group", json=make.group(ref, members=[make.member(ref, bank_ids=items)]))
    )
    for group in (answer, make.created(api.get(f"/group/{answer['id']}"))):
        individual = group["group_membership_ids"][0]["individual"]
        assert make.numbers_of(individual) == [make.normalized(items[0]["acc_number"])]


def test_member_without_bank_ids_key_is_accepted(api: httpx.Client, ref) -> None:
    member = make.member(ref)
    del member["bank_ids"]
    answer = make.created(api.post("/group", json=make.group(ref, members=[member])))
    assert answer["bank_ids"] == []
