"""CONTRACT section 1: the upstream registry routes, their wire names, statuses and public docs."""

from __future__ import annotations

import re

import httpx
import pytest

from tests import factories as make
from tests.conformance.target import Target

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CONTRACT_ROUTES = {
    ("get", "/individual/{_id}"),
    ("get", "/individual"),
    ("post", "/individual"),
    ("get", "/get_individual_ids"),
    ("put", "/update_individual"),
    ("get", "/group/{_id}"),
    ("get", "/group"),
    ("post", "/group"),
    ("get", "/registrant/{id}/bank_accounts"),
    ("post", "/registrant/{id}/bank_accounts"),
    ("put", "/registrant/{id}/bank_accounts"),
    ("delete", "/registrant/{id}/bank_accounts/{account_id}"),
}


def _route_key(method: str, path: str) -> tuple[str, str]:
    # Path parameter names are not part of the wire contract: compare shapes only.
    return method, re.sub(r"\{[^}]+\}", "{}", path)


def test_openapi_document_is_public_and_lists_every_route(target: Target) -> None:
    response = httpx.get(f"{target.api_url}/openapi.json", timeout=30)
    assert response.status_code == 200
    document = response.json()
    offered = {
        _route_key(method, path) for path, operations in document["paths"].items() for method in operations
    }
    missing = {_route_key(*route) for route in CONTRACT_ROUTES} - offered
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"
    assert document["components"]["securitySchemes"], "HTTP Basic must be declared"


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_documentation_pages_are_public(target: Target, page: str) -> None:
    response = httpx.get(f"{target.api_url}/{page}", timeout=30)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


def test_individual_round_trip(api: httpx.Client, ref) -> None:
    body = make.individual(ref)
    created = make.created(api.post("/individual", json=body))
    assert isinstance(created["id"], int)
    assert created["name"] == body["name"]
    assert created["is_group"] is False
    assert created["bank_ids"] == [], "every answer carries bank_ids"
    fetched = make.created(api.get(f"/individual/{created['id']}"))
    assert fetched["id"] == created["id"] and fetched["name"] == body["name"]
    found = make.created(api.get("/individual", params={"name": body["name"].split()[-1]}))
    assert [person["id"] for person in found] == [created["id"]]
    by_id = make.created(api.get("/individual", params={"_id": created["id"]}))
    assert [person["id"] for person in by_id] == [created["id"]]


@pytest.mark.standalone_only
def test_individual_answer_carries_the_registry_data(api: httpx.Client, ref) -> None:
    body = make.individual(ref)
    body["ids"][0]["expiry_date"] = "2031-12-31"
    answer = make.created(api.post("/individual", json=body))
    for fetched in (answer, make.created(api.get(f"/individual/{answer['id']}"))):
        assert [(i["id_type_as_str"], i["value"], i["expiry_date"]) for i in fetched["reg_ids"]] == [
            (ref.id_type, make.id_value_of(body), "2031-12-31")
        ]
        assert all(isinstance(i["id"], int) for i in fetched["reg_ids"])
        phones = fetched["phone_number_ids"]
        assert [p["phone_no"] for p in phones] == ["+4915112345678"] and phones[0]["phone_sanitized"]
        assert phones[0]["date_collected"] == "2024-01-15"
        assert fetched["email"] == body["email"] and fetched["address"] == body["address"]
        assert fetched["gender"] and fetched["birth_place"] == "Springfield"
        assert fetched["birthdate"] == "1990-04-01" and fetched["registration_date"] == "2024-01-15"
        assert fetched["given_name"] == body["given_name"] and fetched["family_name"] == body["family_name"]
        assert DATE.match(fetched["create_date"][:10]) and "T" in fetched["create_date"]


def test_unknown_registrant_and_no_match_answer_400(api: httpx.Client) -> None:
    assert api.get("/individual/2147483000").status_code == 400
    assert api.get("/group/2147483000").status_code == 400
    missing = make.unique_value("Nobody ")
    for path in ("/individual", "/group"):
        response = api.get(path, params={"name": missing})
        assert response.status_code == 400, response.text
        assert isinstance(response.json()["detail"], str)


def test_individual_ids_by_id_type(api: httpx.Client, ref) -> None:
    body = make.individual(ref)
    make.created(api.post("/individual", json=body))
    values = make.created(api.get("/get_individual_ids", params={"include_id_type": ref.id_type}))
    assert make.id_value_of(body) in values
    excluded = api.get(
        "/get_individual_ids", params={"include_id_type": ref.id_type, "exclude_id_type": ref.id_type}
    )
    assert make.id_value_of(body) not in make.created(excluded)


def test_update_individual_by_id_value(api: httpx.Client, ref) -> None:
    body = make.individual(ref)
    created = make.created(api.post("/individual", json=body))
    new_name = make.unique_value("Renamed ")
    answer = api.put(
        "/update_individual",
        params={"id_type": ref.id_type},
        json=[make.update(make.id_value_of(body), name=new_name, given_name="Renamed")],
    )
    updated = make.created(answer)
    assert [person["id"] for person in updated] == [created["id"]]
    assert updated[0]["name"] == new_name
    assert make.created(api.get(f"/individual/{created['id']}"))["name"] == new_name


def test_group_with_members_round_trip(api: httpx.Client, ref) -> None:
    members = [make.member(ref), make.member(ref)]
    body = make.group(ref, members=members)
    created = make.created(api.post("/group", json=body))
    assert created["is_group"] is True and created["name"] == body["name"]
    assert created["bank_ids"] == []
    assert make.created(api.get(f"/group/{created['id']}"))["id"] == created["id"]
    found = make.created(api.get("/group", params={"name": body["name"], "include_members_full": True}))
    assert [group["id"] for group in found] == [created["id"]]
    for member in members:
        people = make.created(api.get("/individual", params={"name": member["name"]}))
        assert len(people) == 1, f"member {member['name']} was not created once"


@pytest.mark.standalone_only
def test_group_answer_carries_its_memberships(api: httpx.Client, ref) -> None:
    members = [make.member(ref), make.member(ref)]
    created = make.created(api.post("/group", json=make.group(ref, members=members)))
    for answer in (created, make.created(api.get(f"/group/{created['id']}"))):
        memberships = answer["group_membership_ids"]
        assert sorted(m["individual"]["name"] for m in memberships) == sorted(m["name"] for m in members)
        assert all(kind["name"] == ref.membership_kind for m in memberships for kind in m["kind"])
        assert all(m["individual"]["bank_ids"] == [] for m in memberships)
        assert answer["reg_ids"] and answer["reg_ids"][0]["id_type_as_str"] == ref.id_type
