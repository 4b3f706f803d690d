"""Bad input never reaches the database and never answers 500: schema errors are 422 naming
the field, oversized bodies 413, undecodable bodies 4xx; and every failed request writes
nothing."""

from __future__ import annotations

import json

import pytest

from tests.factories import group, individual, member

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process


def _assert_refused(answer, status: int = 422, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    if field is not None:
        locations = [error["loc"] for error in answer.json()["detail"]]
        assert any(field in location for location in locations), locations


BAD_INDIVIDUALS = [
    pytest.param({"birthdate": "2000-02-30"}, "birthdate", id="impossible-date"),
    pytest.param({"birthdate": "01/02/2000"}, "birthdate", id="date-format"),
    pytest.param({"birthdate": "3000-01-01"}, "birthdate", id="birthdate-in-future"),
    pytest.param({"registration_date": "2000-13-01"}, "registration_date", id="registration-month-13"),
    pytest.param({"birthdate": 20000101}, "birthdate", id="date-as-number"),
    pytest.param({"name": "Grace\x00Mwangi"}, "name", id="nul-in-name"),
    pytest.param({"given_name": "Gr\x1bace"}, "given_name", id="escape-in-given-name"),
    pytest.param({"address": "Street\x00"}, "address", id="nul-in-address"),
    pytest.param({"name": "x" * 256}, "name", id="name-too-long"),
    pytest.param({"address": "x" * 1025}, "address", id="address-too-long"),
    pytest.param({"email": "not-an-email"}, "email", id="email"),
    pytest.param({"name": "   "}, "name", id="blank-name"),
    pytest.param({"name": None}, "name", id="null-name"),
    pytest.param({"given_name": None}, "given_name", id="null-given-name"),
    pytest.param({"ids": None}, "ids", id="null-ids"),
    pytest.param({"ids": [{"id_type": "National ID", "value": ""}]}, "value", id="empty-id-value"),
    pytest.param({"ids": [{"id_type": "National ID", "value": "x" * 101}]}, "value", id="id-value-too-long"),
    pytest.param({"ids": [{"id_type": "National ID", "value": "A\x00B"}]}, "value", id="nul-in-id-value"),
    pytest.param(
        {"ids": [{"id_type": "National ID", "value": "1", "status": "maybe"}]}, "status", id="id-status"
    ),
    pytest.param(
        {"ids": [{"id_type": "National ID", "value": "1", "expiry_date": "2030-02-31"}]},
        "expiry_date",
        id="id-expiry",
    ),
    pytest.param({"phone_numbers": [{"phone_no": "call me"}]}, "phone_no", id="phone-letters"),
    pytest.param({"phone_numbers": [{"phone_no": "1" * 33}]}, "phone_no", id="phone-too-long"),
    pytest.param(
        {"phone_numbers": [{"phone_no": "+1 555", "date_collected": "2999-01-01"}]},
        "date_collected",
        id="phone-future",
    ),
    pytest.param({"gender": "x" * 101}, "gender", id="gender-too-long"),
    pytest.param(
        {"ids": [{"id_type": "National ID", "value": str(n)} for n in range(51)]}, "ids", id="too-many-ids"
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD_INDIVIDUALS)
def test_bad_individual_is_422_and_writes_nothing(api, row_counts, change, field):
    before = row_counts()
    _assert_refused(api.post("/individual", json=individual(**change)), field=field)
    assert row_counts() == before


def test_lone_surrogate_is_refused(api, row_counts):
    before = row_counts()
    body = json.dumps(individual(name="PLACEHOLDER")).replace("PLACEHOLDER", "Grace \\ud800")
    answer = api.post("/individual", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert row_counts() == before


def test_bad_member_refuses_the_whole_group(api, row_counts):
    before = row_counts()
    body = group(members=[member(), member(name="Second\x00", kind=[])])
    _assert_refused(api.post("/group", json=body), field="name")
    _assert_refused(
        api.post("/group", json=group(members=[member(birthdate="1985-02-30")])), field="birthdate"
    )
    _assert_refused(api.post("/group", json=group(members=[member(kind=[{"name": "H\x00"}])])), field="name")
    without_members = group()
    without_members["members"] = None
    _assert_refused(api.post("/group", json=without_members), field="members")
    assert row_counts() == before


def test_bad_update_is_422(api, row_counts):
    before = row_counts()
    _assert_refused(
        api.put("/update_individual", params={"id_type": "National ID"}, json=[{"email": "a@b.c"}]),
        field="updateId",
    )
    _assert_refused(api.put("/update_individual", params={"id_type": "National ID"}, json={"updateId": "x"}))
    _assert_refused(
        api.put("/update_individual", params={"id_type": "Nat\x00ional"}, json=[{"updateId": "x"}]),
        field="id_type",
    )
    _assert_refused(
        api.put(
            "/update_individual",
            params={"id_type": "National ID"},
            json=[{"updateId": "x", "birthdate": "x"}],
        ),
        field="birthdate",
    )
    assert row_counts() == before


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/individual", {"name": "a\x00b"}),
        ("/individual", {"name": "n" * 256}),
        ("/individual", {"_id": "abc"}),
        ("/group", {"name": "\x07"}),
        ("/group", {"include_members_full": "perhaps"}),
        ("/get_individual_ids", {"include_id_type": "Tax\x00ID"}),
        ("/individual/abc", {}),
        ("/group/1.5", {}),
    ],
)
def test_bad_query_is_422(api, path, params):
    _assert_refused(api.get(path, params=params))


def test_malformed_bodies_are_refused(api, row_counts):
    before = row_counts()
    headers = {"Content-Type": "application/json"}
    assert api.post("/individual", content=b'{"name": "x",', headers=headers).status_code == 422
    assert api.post(
        "/individual", content='{"name": "\xe9"}'.encode("latin-1"), headers=headers
    ).status_code in (
        400,
        422,
    )
    assert api.post("/individual", content=b"", headers=headers).status_code == 422
    assert api.post("/individual", content=b"[]", headers=headers).status_code == 422
    assert (
        api.post("/individual", content=b"name=x", headers={"Content-Type": "text/plain"}).status_code == 422
    )
    assert row_counts() == before


def test_body_over_the_limit_is_413(api, row_counts):
    before = row_counts()
    padding = "x" * 1_100_000
    answer = api.post("/individual", json=individual(address=padding))
    assert answer.status_code == 413

    def chunks():
        yield json.dumps(individual(address="a"))[:-1].encode()
        for _ in range(12):
            yield b" " * 100_000
        yield b"}"

    streamed = api.post("/individual", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert row_counts() == before


def test_validation_errors_do_not_echo_the_input(api):
    answer = api.post("/individual", json=individual(name="Grace\x00SECRET-VALUE"))
    assert answer.status_code == 422
    assert "SECRET-VALUE" not in answer.text
