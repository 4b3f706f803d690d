"""The group routes through a real server: members with their own IDs, phones and kinds in the
answer, search with and without members, and upstream's business errors."""

from __future__ import annotations

import pytest

from tests.factories import group, member, unique_value

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process


def test_create_group_answers_members_with_their_data(api):
    head = member(
        name="OTIENO, Paul", birthdate="1985-02-03", gender="Male", phone_numbers=[{"phone_no": "0712000111"}]
    )
    spouse = member(name="OTIENO, Mary", gender="Female", kind=[{"name": "Spouse"}])
    body = group(
        name="Otieno household",
        ids=[{"id_type": "Tax ID", "value": unique_value("TAX-")}],
        phone_numbers=[{"phone_no": "+254 700 111 222"}],
        email="household@example.org",
        address="Plot 7, Kisumu",
        kind="Household",
        members=[head, spouse],
    )
    answer = api.post("/group", json=body)
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert created["is_group"] is True
    assert created["name"] == "Otieno household"
    assert created["kind"] == "Household"
    assert created["is_partial_group"] is False
    assert created["email"] == "household@example.org"
    assert created["address"] == "Plot 7, Kisumu"
    assert [(r["id_type_as_str"], r["value"]) for r in created["reg_ids"]] == [
        ("Tax ID", body["ids"][0]["value"])
    ]
    assert created["phone_number_ids"][0]["phone_sanitized"] == "+254700111222"

    head, spouse = created["group_membership_ids"]
    assert head["kind"] == [{"name": "Head"}]
    assert spouse["kind"] == [{"name": "Spouse"}]
    assert head["individual"]["name"] == "OTIENO, Paul"
    assert head["individual"]["gender"] == "Male"
    assert head["individual"]["birthdate"] == "1985-02-03"
    assert head["individual"]["reg_ids"][0]["value"] == body["members"][0]["ids"][0]["value"]
    assert head["individual"]["phone_number_ids"][0]["phone_sanitized"] == "0712000111"
    assert spouse["individual"]["gender"] == "Female"

    assert api.get(f"/group/{created['id']}").json() == created
    # A member is an individual of its own.
    member_id = head["individual"]["id"]
    assert api.get(f"/individual/{member_id}").json() == head["individual"]


def test_search_groups_lists_members_only_when_asked(api):
    marker = unique_value("Kamau")
    created = api.post("/group", json=group(name=f"{marker} family", kind="Family")).json()

    short = api.get("/group", params={"name": marker})
    assert short.status_code == 200
    [found] = short.json()
    assert found["id"] == created["id"]
    assert found["group_membership_ids"] == []
    assert found["kind"] == "Family"

    [full] = api.get("/group", params={"name": marker, "include_members_full": True}).json()
    assert full == created
    [by_id] = api.get("/group", params={"_id": created["id"]}).json()
    assert by_id["name"] == f"{marker} family"


def test_group_without_members_or_kind(api):
    answer = api.post("/group", json={"name": "Empty group", "ids": [], "members": []})
    assert answer.status_code == 200, answer.text
    assert answer.json()["group_membership_ids"] == []
    assert answer.json()["kind"] is None


def test_group_business_errors_write_nothing(api, row_counts):
    before = row_counts()

    def detail(body):
        answer = api.post("/group", json=body)
        assert answer.status_code == 400, answer.text
        return answer.json()["detail"]

    assert "Group type - Clan" in detail(group(kind="Clan"))
    assert "Membership kind - Cousin" in detail(group(members=[member(kind=[{"name": "Cousin"}])]))
    head = [{"name": "Head"}]
    assert "Only one Head" in detail(group(members=[member(kind=head), member(kind=head)]))
    shared_id = [{"id_type": "National ID", "value": unique_value()}]
    assert "already assigned" in detail(
        group(members=[member(ids=shared_id), member(ids=shared_id, kind=[])])
    )
    assert "ID type - Ration Card" in detail(group(ids=[{"id_type": "Ration Card", "value": "1"}]))
    assert row_counts() == before

    assert api.get("/group/999999999").status_code == 400
    assert "This Name does not exist" in api.get("/group", params={"name": unique_value()}).json()["detail"]
    # An individual is not a group.
    with_member = group(members=[member()])
    individual_id = api.post("/group", json=with_member).json()["group_membership_ids"][0]["individual"]["id"]
    assert api.get(f"/group/{individual_id}").status_code == 400


def test_membership_kind_without_name_is_skipped(api):
    answer = api.post("/group", json=group(members=[member(kind=[{"name": None}])]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["group_membership_ids"][0]["kind"] == []
