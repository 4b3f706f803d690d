"""CONTRACT section 5, who may do what: a masked caller never sees a full account number in any
answer; a read-only caller gets 403 naming the missing scope on every write route and nothing
changes; a caller without bank:read gets `bank_ids: null`; a write carrying bank_ids without
bank:write is refused whole.

The suite's main login holds every scope. Against a deployment, give logins of the roles with
``--scoped-credentials ROLE=USER:PASSWORD`` (see options.py); a role not given skips its tests.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests import factories as make
from tests.conformance.target import Target

MASKED = re.compile(r"….{0,4}")


def _as(target: Target, callers: dict, role: str) -> httpx.Client:
    if role not in callers:
        pytest.skip(f"no --scoped-credentials for the role {role}")
    return target.client(auth=callers[role])


@pytest.fixture(scope="module")
def household(target: Target) -> dict:
    """A group holding an account, whose member holds two; created by the suite's main login."""
    ref = target.reference
    body = make.group(
        ref,
        members=[
            make.member(
                ref, bank_ids=[make.bank_item(), make.bank_item(acc_number=make.iban_number(spaced=True))]
            )
        ],
        bank_ids=[make.bank_item(acc_number=make.iban_number())],
    )
    with target.client() as api:
        return make.created(api.post("/group", json=body))


def _full_numbers(household: dict) -> set[str]:
    accounts = list(household["bank_ids"])
    for membership in household["group_membership_ids"]:
        accounts += membership["individual"]["bank_ids"]
    numbers = {account["acc_number"] for account in accounts}
    assert len(numbers) == 3
    return numbers | {make.normalized(number) for number in numbers}


def _reads(household: dict) -> list[tuple[str, dict]]:
    member_id = household["group_membership_ids"][0]["individual"]["id"]
    return [
        (f"/group/{household['id']}", {}),
        ("/group", {"_id": household["id"], "include_members_full": "true"}),
        ("/group", {"name": household["name"], "include_members_full": "true"}),
        (f"/individual/{member_id}", {}),
        ("/individual", {"_id": member_id}),
        (f"/registrant/{household['id']}/bank_accounts", {}),
        (f"/registrant/{member_id}/bank_accounts", {}),
    ]


def _accounts_in(answer: object) -> list[dict]:
    if isinstance(answer, list):
        return [account for element in answer for account in _accounts_in(element)]
    if not isinstance(answer, dict):
        return []
    own = [answer] if "acc_number" in answer else []
    return own + [account for value in answer.values() for account in _accounts_in(value)]


def test_a_masked_caller_never_sees_a_full_number(target: Target, scoped_callers, household) -> None:
    full = _full_numbers(household)
    with _as(target, scoped_callers, "masked-reader") as masked:
        seen = 0
        for path, params in _reads(household):
            response = masked.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
            assert not [number for number in full if number in response.text], f"{path}: a full number"
            accounts = _accounts_in(response.json())
            assert all(MASKED.fullmatch(a["acc_number"]) and a["masked"] is True for a in accounts), path
            seen += len(accounts)
        assert seen >= 9
        refused = masked.get("/payment_accounts")
    assert refused.status_code == 403, refused.text
    assert "bank:reveal" in refused.json()["detail"]


def test_masked_numbers_end_as_the_full_ones(target: Target, scoped_callers, household) -> None:
    with _as(target, scoped_callers, "masked-reader") as masked:
        answer = make.created(masked.get(f"/group/{household['id']}"))
    [full] = household["bank_ids"]
    [shown] = answer["bank_ids"]
    assert shown["acc_number"] == "…" + full["acc_number"][-4:]
    assert {**shown, "acc_number": full["acc_number"], "masked": False} == {**full, "masked": False}


def test_without_bank_read_bank_ids_are_null(target: Target, scoped_callers, household) -> None:
    with _as(target, scoped_callers, "registry-reader") as reader:
        answer = make.created(
            reader.get(f"/group/{household['id']}", params={"include_members_full": "true"})
        )
        assert answer["bank_ids"] is None
        assert all(m["individual"]["bank_ids"] is None for m in answer["group_membership_ids"])
        refused = reader.get(f"/registrant/{household['id']}/bank_accounts")
    assert refused.status_code == 403
    assert "bank:read" in refused.json()["detail"]


def test_a_read_only_caller_is_refused_every_write_and_nothing_changes(
    target: Target, scoped_callers, household
) -> None:
    ref = target.reference
    person = make.individual(ref, bank_ids=[make.bank_item()])
    account_id = household["bank_ids"][0]["id"]
    existing = make.individual(ref)
    with target.client() as api:
        existing_id = make.created(api.post("/individual", json=existing))["id"]
    accounts_path = f"/registrant/{household['id']}/bank_accounts"
    writes = [
        ("POST", "/individual", person, "registry:write"),
        ("POST", "/group", make.group(ref, members=[make.member(ref)]), "registry:write"),
        (
            "PUT",
            "/update_individual?id_type=" + ref.id_type,
            [make.update(make.id_value_of(existing), name="CHANGED, Name", bank_ids=[make.bank_item()])],
            "registry:write",
        ),
        ("POST", accounts_path, make.bank_item(), "bank:write"),
        ("PUT", accounts_path, [make.bank_item()], "bank:write"),
        ("DELETE", f"{accounts_path}/{account_id}", None, "bank:write"),
    ]
    with target.client() as api:
        before = make.created(api.get(f"/group/{household['id']}"))
        person_before = make.created(api.get(f"/individual/{existing_id}"))
    with _as(target, scoped_callers, "masked-reader") as reader:
        for method, path, body, scope in writes:
            response = reader.request(method, path, json=body)
            assert response.status_code == 403, (method, path, response.text)
            assert scope in response.json()["detail"], (method, path, response.text)
    with target.client() as api:
        assert make.created(api.get(f"/group/{household['id']}")) == before
        assert make.created(api.get(f"/individual/{existing_id}")) == person_before
        assert api.get("/individual", params={"name": person["name"]}).status_code == 400


def test_bank_ids_without_bank_write_refuse_the_whole_request(target: Target, scoped_callers) -> None:
    ref = target.reference
    bodies = [
        ("/individual", make.individual(ref, bank_ids=[make.bank_item()])),
        ("/group", make.group(ref, members=[make.member(ref, bank_ids=[make.bank_item()])])),
    ]
    with _as(target, scoped_callers, "enroller") as enroller:
        for path, body in bodies:
            response = enroller.post(path, json=body)
            assert response.status_code == 403, (path, response.text)
            assert "bank:write" in response.json()["detail"]
        allowed = make.created(enroller.post("/individual", json=make.individual(ref)))
        assert allowed["bank_ids"] == []
    with target.client() as api:
        for _path, body in bodies:
            assert api.get("/individual", params={"name": body["name"]}).status_code == 400
