"""CONTRACT section 7 under the default policy (`flag`): a number held by a second active
registrant is accepted, every answer item of it says `"shared": true`, and the report of shared
numbers lists the pair, masked, with both holders' ids."""

from __future__ import annotations

import json

import httpx

from tests import factories as make


def _accounts(api: httpx.Client, registrant_id: int) -> list[dict]:
    return make.created(api.get(f"/registrant/{registrant_id}/bank_accounts"))


def _shared_of(accounts: list[dict], number: str) -> list[bool]:
    return [account["shared"] for account in accounts if make.normalized(account["acc_number"]) == number]


def test_a_second_holder_is_accepted_and_both_answer_shared(api: httpx.Client, ref) -> None:
    number = make.iban_number(spaced=True)
    normalized = make.normalized(number)
    first = make.created(
        api.post("/individual", json=make.individual(ref, bank_ids=[make.bank_item(acc_number=number)]))
    )
    assert _shared_of(first["bank_ids"], normalized) == [False]
    own = make.bank_item()
    second = make.created(
        api.post(
            "/individual",
            json=make.individual(ref, bank_ids=[own, make.bank_item(acc_number=normalized.lower())]),
        )
    )
    assert _shared_of(second["bank_ids"], normalized) == [True]
    assert _shared_of(second["bank_ids"], make.normalized(own["acc_number"])) == [False]
    assert _shared_of(_accounts(api, first["id"]), normalized) == [True]
    fetched = make.created(api.get(f"/individual/{first['id']}"))
    assert _shared_of(fetched["bank_ids"], normalized) == [True]

    # The report lists the pair. Its key is the lowest id of the number's active accounts: the
    # first holder's account, so the page after the key below it starts with this number.
    [account] = [a for a in first["bank_ids"] if make.normalized(a["acc_number"]) == normalized]
    page = make.created(api.get("/bank_accounts/shared", params={"after": account["id"] - 1, "limit": 1}))
    [listed] = page["items"]
    assert listed["key"] == account["id"]
    assert listed["registrant_ids"] == sorted([first["id"], second["id"]])
    assert listed["share_group"] is False
    assert listed["acc_number"].endswith(normalized[-4:]) and len(listed["acc_number"]) <= 5
    assert normalized not in json.dumps(page) and normalized[-8:] not in json.dumps(page)


def test_a_group_and_its_member_sharing_an_account_share_a_group(api: httpx.Client, ref) -> None:
    number = make.normalized(make.iban_number())
    household = make.created(
        api.post(
            "/group",
            json=make.group(
                ref,
                members=[make.member(ref, bank_ids=[make.bank_item(acc_number=number)])],
                bank_ids=[make.bank_item(acc_number=number)],
            ),
        )
    )
    assert _shared_of(household["bank_ids"], number) == [True]
    [membership] = household["group_membership_ids"]
    individual_id = membership["individual"]["id"]
    assert _shared_of(_accounts(api, individual_id), number) == [True]
    [account] = _accounts(api, individual_id)
    group_account = household["bank_ids"][0]["id"]
    page = make.created(
        api.get("/bank_accounts/shared", params={"after": min(account["id"], group_account) - 1, "limit": 1})
    )
    [listed] = page["items"]
    assert listed["registrant_ids"] == sorted([household["id"], individual_id])
    assert listed["share_group"] is True


def test_report_paging_is_checked(api: httpx.Client) -> None:
    for params, field in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"after": -1}, "after")):
        response = api.get("/bank_accounts/shared", params=params)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["query", field]
