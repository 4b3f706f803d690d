"""The individual routes through a real server: answers filled with everything the request
stored, upstream's business errors (400 with a detail), partial and idempotent updates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.factories import individual, unique_value

# In process, each test in a rolled-back transaction (tests/support/in_process.py).
pytestmark = pytest.mark.in_process

# The values the tests below read back.
GRACE = {
    "name": "MWANGI, Grace",
    "given_name": "Grace",
    "family_name": "Mwangi",
    "email": "grace@example.org",
    "address": "12 Market Street, Nakuru",
    "gender": "Female",
    "birthdate": "2000-01-01",
    "birth_place": "Nakuru",
    "registration_date": "2000-01-01",
    "phone_numbers": [{"phone_no": "+254 712 345 678", "date_collected": "2000-01-01"}],
}


def _age(birthdate: str) -> str:
    born, today = date.fromisoformat(birthdate), date.today()
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def test_create_individual_answers_every_stored_field(api):
    body = individual(
        **GRACE, ids=[{"id_type": "National ID", "value": unique_value(), "expiry_date": "2030-12-31"}]
    )
    answer = api.post("/individual", json=body)
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert isinstance(created["id"], int)
    assert created["name"] == "MWANGI, Grace"
    assert created["given_name"] == "Grace"
    assert created["family_name"] == "Mwangi"
    assert created["is_group"] is False
    assert created["email"] == "grace@example.org"
    assert created["address"] == "12 Market Street, Nakuru"
    assert created["gender"] == "Female"
    assert created["birthdate"] == "2000-01-01"
    assert created["age"] == _age("2000-01-01")
    assert created["birth_place"] == "Nakuru"
    assert created["registration_date"] == "2000-01-01"
    [reg_id] = created["reg_ids"]
    assert reg_id["id_type_as_str"] == "National ID"
    assert reg_id["value"] == body["ids"][0]["value"]
    assert reg_id["expiry_date"] == "2030-12-31"
    [phone] = created["phone_number_ids"]
    assert phone["phone_no"] == "+254 712 345 678"
    assert phone["phone_sanitized"] == "+254712345678"
    assert phone["date_collected"] == "2000-01-01"
    assert created["create_date"].endswith("Z")

    assert api.get(f"/individual/{created['id']}").json() == created


def test_minimal_individual_and_empty_dates(api):
    answer = api.post("/individual", json={"name": "Solo", "given_name": "Solo", "ids": [], "birthdate": ""})
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert created["birthdate"] is None
    assert created["age"] is None
    assert created["reg_ids"] == []
    assert created["phone_number_ids"] == []


def test_search_by_name_substring_and_id(api):
    marker = unique_value("Zawadi")
    first = api.post("/individual", json=individual(name=f"{marker} One")).json()
    second = api.post("/individual", json=individual(name=f"{marker} Two")).json()

    found = api.get("/individual", params={"name": marker})
    assert found.status_code == 200
    assert [item["id"] for item in found.json()] == [first["id"], second["id"]]
    # Odoo's "like" is case-sensitive; so is this search on both databases.
    assert api.get("/individual", params={"name": marker.upper()}).status_code == 400
    by_id = api.get("/individual", params={"_id": second["id"], "name": marker}).json()
    assert [item["id"] for item in by_id] == [second["id"]]
    # LIKE wildcards in the search text are literal characters.
    assert api.get("/individual", params={"name": f"{marker[:3]}%One"}).status_code == 400


def test_get_individual_ids_lists_values_of_one_type(api):
    both = individual(
        ids=[
            {"id_type": "Tax ID", "value": unique_value("T")},
            {"id_type": "Passport", "value": unique_value("P")},
        ]
    )
    tax_only = individual(ids=[{"id_type": "Tax ID", "value": unique_value("T")}])
    invalid = individual(ids=[{"id_type": "Tax ID", "value": unique_value("T"), "status": "invalid"}])
    for body in (both, tax_only, invalid):
        assert api.post("/individual", json=body).status_code == 200

    listed = api.get("/get_individual_ids", params={"include_id_type": "Tax ID"}).json()
    assert both["ids"][0]["value"] in listed
    assert tax_only["ids"][0]["value"] in listed
    assert invalid["ids"][0]["value"] not in listed
    assert listed == sorted(listed)

    without_passport = api.get(
        "/get_individual_ids", params={"include_id_type": "Tax ID", "exclude_id_type": "Passport"}
    ).json()
    assert both["ids"][0]["value"] not in without_passport
    assert tax_only["ids"][0]["value"] in without_passport


def test_update_individual_is_partial_and_idempotent(api):
    body = individual(**GRACE)
    created = api.post("/individual", json=body).json()
    national_id = body["ids"][0]["value"]
    passport = unique_value("P")
    update = [
        {
            "updateId": national_id,
            "email": "new@example.org",
            "ids": [{"id_type": "Passport", "value": passport}],
            "phone_numbers": [{"phone_no": "+254 712 345 678"}, {"phone_no": "+254 799 000 000"}],
        }
    ]
    first = api.put("/update_individual", params={"id_type": "National ID"}, json=update)
    assert first.status_code == 200, first.text
    [updated] = first.json()
    assert updated["id"] == created["id"]
    assert updated["email"] == "new@example.org"
    # Fields left out keep their value.
    assert updated["name"] == created["name"]
    assert updated["gender"] == "Female"
    assert updated["birthdate"] == "2000-01-01"
    assert {(r["id_type_as_str"], r["value"]) for r in updated["reg_ids"]} == {
        ("National ID", national_id),
        ("Passport", passport),
    }
    assert [p["phone_sanitized"] for p in updated["phone_number_ids"]] == ["+254712345678", "+254799000000"]
    assert datetime.fromisoformat(updated["write_date"]) > datetime.fromisoformat(created["write_date"])
    assert updated["create_date"] == created["create_date"]
    # The answer is built from what the update wrote, not read back: it must be what is stored.
    assert api.get(f"/individual/{created['id']}").json() == updated

    again = api.put("/update_individual", params={"id_type": "National ID"}, json=update).json()
    assert again[0]["reg_ids"] == updated["reg_ids"]
    assert again[0]["phone_number_ids"] == updated["phone_number_ids"]


def test_update_replaces_the_id_of_a_type_held(api):
    body = individual(
        ids=[
            {"id_type": "National ID", "value": unique_value()},
            {"id_type": "Passport", "value": unique_value("P")},
        ]
    )
    api.post("/individual", json=body)
    new_passport = unique_value("P")
    answer = api.put(
        "/update_individual",
        params={"id_type": "National ID"},
        json=[{"updateId": body["ids"][0]["value"], "ids": [{"id_type": "Passport", "value": new_passport}]}],
    )
    assert answer.status_code == 200, answer.text
    [updated] = answer.json()
    values = {r["id_type_as_str"]: r["value"] for r in updated["reg_ids"]}
    assert values["Passport"] == new_passport
    assert len(updated["reg_ids"]) == 2
    assert api.get(f"/individual/{updated['id']}").json() == updated


def test_business_errors_answer_400_with_detail(api):
    def detail(answer):
        assert answer.status_code == 400, answer.text
        return answer.json()["detail"]

    assert "ID type - Voter Card" in detail(
        api.post("/individual", json=individual(ids=[{"id_type": "Voter Card", "value": "1"}]))
    )
    assert "Gender - Martian" in detail(api.post("/individual", json=individual(gender="Martian")))
    assert detail(api.get("/individual/999999999")) == "Record is not present in the database."
    assert detail(api.get("/individual/99999999999999999999")) == "Record is not present in the database."
    assert detail(api.get("/individual", params={"name": unique_value("nobody")})) == (
        "The specified criteria did not match any records."
    )
    assert "include_id_type" in detail(api.get("/get_individual_ids"))
    assert "ID type - Nope" in detail(api.get("/get_individual_ids", params={"include_id_type": "Nope"}))
    assert "ID is required" in detail(api.put("/update_individual", json=[{"updateId": "x"}]))
    missing = unique_value()
    assert detail(
        api.put("/update_individual", params={"id_type": "National ID"}, json=[{"updateId": missing}])
    ) == (f"Individual with the given ID {missing} not found.")
    # An unknown ID type is refused as such, whether or not the list names anybody.
    for updates in ([{"updateId": missing}], []):
        assert "ID type - Nope" in detail(
            api.put("/update_individual", params={"id_type": "Nope"}, json=updates)
        )


def test_duplicate_id_value_is_refused_without_database_text(api, row_counts):
    body = individual()
    assert api.post("/individual", json=body).status_code == 200
    before = row_counts()
    answer = api.post("/individual", json=individual(ids=body["ids"]))
    assert answer.status_code == 400
    assert "already assigned to another registrant" in answer.json()["detail"]
    assert "UNIQUE" not in answer.text and "constraint" not in answer.text.lower()
    same_type_twice = individual(
        ids=[
            {"id_type": "Passport", "value": unique_value()},
            {"id_type": "Passport", "value": unique_value()},
        ]
    )
    assert api.post("/individual", json=same_type_twice).status_code == 400
    assert row_counts() == before


def test_failed_update_list_writes_nothing(api, row_counts):
    body = individual(**GRACE)
    api.post("/individual", json=body)
    before = row_counts()
    updates = [
        {
            "updateId": body["ids"][0]["value"],
            "phone_numbers": [{"phone_no": "+1 555 0100"}],
            "name": "Changed",
        },
        {"updateId": unique_value()},
    ]
    assert api.put("/update_individual", params={"id_type": "National ID"}, json=updates).status_code == 400
    assert row_counts() == before
    unchanged = api.get("/individual", params={"name": "MWANGI"}).json()
    assert all(item["name"] != "Changed" for item in unchanged)
