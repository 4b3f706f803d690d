"""CONTRACT section 2, the account sub-resource: list, add-or-update, replace, archive.

Nothing is deleted: an archived account disappears from answers, and sending its number again
brings the same account back (same id), answered 200 because it existed.
"""

from __future__ import annotations

import httpx

from tests import factories as make


def _accounts(api: httpx.Client, registrant_id: int) -> list[dict]:
    return make.created(api.get(f"/registrant/{registrant_id}/bank_accounts"))


def _person(api: httpx.Client, ref, count: int = 2) -> dict:
    items = [make.bank_item() for _ in range(count)]
    return make.created(api.post("/individual", json=make.individual(ref, bank_ids=items)))


def test_list_matches_the_registrant_answer(api: httpx.Client, ref) -> None:
    person = _person(api, ref)
    assert _accounts(api, person["id"]) == person["bank_ids"]


def test_add_answers_201_then_200_for_the_same_normalized_number(api: httpx.Client, ref) -> None:
    person = _person(api, ref, count=1)
    iban = make.iban_number(spaced=True)
    path = f"/registrant/{person['id']}/bank_accounts"
    first = api.post(path, json=make.bank_item(acc_number=iban))
    assert first.status_code == 201, first.text
    account = first.json()
    assert make.normalized(account["acc_number"]) == make.normalized(iban)
    again = api.post(path, json=make.bank_item(acc_number=iban.replace(" ", ""), acc_holder_name="Second"))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == account["id"] and again.json()["acc_holder_name"] == "Second"
    assert len(_accounts(api, person["id"])) == 2


def test_add_primary_puts_it_first(api: httpx.Client, ref) -> None:
    person = _person(api, ref)
    item = make.bank_item(primary=True)
    response = api.post(f"/registrant/{person['id']}/bank_accounts", json=item)
    assert response.status_code == 201, response.text
    listed = _accounts(api, person["id"])
    assert make.numbers_of({"bank_ids": listed})[0] == make.normalized(item["acc_number"])
    assert listed[0]["primary"] is True and not any(a["primary"] for a in listed[1:])


def test_replace_archives_unlisted_accounts_and_reactivates_them_later(api: httpx.Client, ref) -> None:
    person = _person(api, ref)
    kept, dropped = person["bank_ids"]
    added = make.bank_item()
    path = f"/registrant/{person['id']}/bank_accounts"
    replaced = api.put(path, json=[make.bank_item(acc_number=kept["acc_number"]), added])
    assert replaced.status_code == 200, replaced.text
    expected = [make.normalized(kept["acc_number"]), make.normalized(added["acc_number"])]
    assert sorted(make.numbers_of({"bank_ids": _accounts(api, person["id"])})) == sorted(expected)
    assert dropped["id"] not in [
        a["id"] for a in make.created(api.get(f"/individual/{person['id']}"))["bank_ids"]
    ]
    back = api.post(path, json=make.bank_item(acc_number=dropped["acc_number"]))
    assert back.status_code == 200, f"an archived account existed: {back.status_code} {back.text}"
    assert back.json()["id"] == dropped["id"], "reactivation must bring back the same account"
    assert len(_accounts(api, person["id"])) == 3


def test_replace_with_an_empty_list_archives_everything(api: httpx.Client, ref) -> None:
    person = _person(api, ref)
    response = api.put(f"/registrant/{person['id']}/bank_accounts", json=[])
    assert response.status_code == 200, response.text
    assert _accounts(api, person["id"]) == []


def test_delete_archives_the_account(api: httpx.Client, ref) -> None:
    person = _person(api, ref)
    removed, remaining = person["bank_ids"]
    path = f"/registrant/{person['id']}/bank_accounts"
    response = api.delete(f"{path}/{removed['id']}")
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert [a["id"] for a in _accounts(api, person["id"])] == [remaining["id"]]
    back = api.post(path, json=make.bank_item(acc_number=removed["acc_number"]))
    assert back.status_code == 200 and back.json()["id"] == removed["id"]


def test_update_reactivates_an_archived_account(api: httpx.Client, ref) -> None:
    body = make.individual(ref, bank_ids=[make.bank_item(), make.bank_item()])
    person = make.created(api.post("/individual", json=body))
    removed = person["bank_ids"][1]
    assert api.delete(f"/registrant/{person['id']}/bank_accounts/{removed['id']}").status_code == 204
    element = make.update(make.id_value_of(body), bank_ids=[make.bank_item(acc_number=removed["acc_number"])])
    answer = make.created(api.put("/update_individual", params={"id_type": ref.id_type}, json=[element]))[0]
    assert sorted(a["id"] for a in answer["bank_ids"]) == sorted(a["id"] for a in person["bank_ids"])


def test_groups_have_accounts_too(api: httpx.Client, ref) -> None:
    group = make.created(api.post("/group", json=make.group(ref, bank_ids=[make.bank_item()])))
    item = make.bank_item()
    response = api.post(f"/registrant/{group['id']}/bank_accounts", json=item)
    assert response.status_code == 201, response.text
    assert len(_accounts(api, group["id"])) == 2
    assert len(make.created(api.get(f"/group/{group['id']}"))["bank_ids"]) == 2
