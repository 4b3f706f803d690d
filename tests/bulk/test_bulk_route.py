"""`POST /bulk/individual`: per-item results in order, the rules of single requests, matching
by ID value so that a batch imported twice changes nothing the second time."""

from __future__ import annotations

import httpx

from tests.factories import BY_NATIONAL_ID

PATH = "/bulk/individual"


def post(client: httpx.Client, items: list, **params: str) -> httpx.Response:
    return client.post(PATH, params=params or BY_NATIONAL_ID, json=items)


def results(client: httpx.Client, items: list) -> list[dict]:
    response = post(client, items)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [result["index"] for result in answer] == list(range(len(items)))
    return answer


def statuses(answer: list[dict]) -> list[str]:
    return [result["status"] for result in answer]


def test_new_items_are_created_and_a_second_run_changes_nothing(client, database, run):
    items = [run.item(n) for n in range(5)]
    first = results(client, items)
    assert statuses(first) == ["created"] * 5
    assert all(result["errors"] == [] and result["id"] for result in first)
    counts = database.counts()
    dump = database.dump()

    again = results(client, items)
    assert statuses(again) == ["unchanged"] * 5
    assert [result["id"] for result in again] == [result["id"] for result in first]
    assert database.counts() == counts
    assert database.dump() == dump


def test_created_individual_answers_as_if_posted_alone(client, run):
    item = run.item(1, email="jane@example.org")
    [result] = results(client, [item])
    bulk = client.get(f"/individual/{result['id']}").json()
    single = client.post("/individual", json=run.item(2, email="jane@example.org")).json()
    volatile = {"id", "name", "reg_ids", "phone_number_ids", "bank_ids", "create_date", "write_date"}
    assert {k: v for k, v in bulk.items() if k not in volatile} == {
        k: v for k, v in single.items() if k not in volatile
    }
    assert [(a["bank_name"], a["acc_number"], a["primary"]) for a in bulk["bank_ids"]] == [
        (a["bank_name"], a["acc_number"], index == 0) for index, a in enumerate(item["bank_ids"])
    ]
    assert [i["value"] for i in bulk["reg_ids"]] == [run.national_id(1)]
    assert [p["phone_sanitized"] for p in bulk["phone_number_ids"]] == ["+254700000001"]


def test_existing_individuals_are_merged_like_update_individual(client, database, run):
    [created] = results(client, [run.item(1)])
    registrant_id = created["id"]
    spaced = " ".join(run.iban(1)[i : i + 4] for i in range(0, len(run.iban(1)), 4)).lower()
    update = run.item(
        1,
        email="new@example.org",
        family_name=None,  # null: keeps the stored value, as on update
        bank_ids=[
            {"bank_name": f"Bulk Bank {run.prefix} 0", "acc_number": spaced, "acc_holder_name": "J. Doe"},
            {"bank_name": "Another Bank", "acc_number": "NEW-1", "primary": True},
        ],
        ids=[
            {"id_type": "National ID", "value": run.national_id(1)},
            {"id_type": "Passport", "value": run.prefix},
        ],
    )
    [result] = results(client, [update])
    assert (result["status"], result["id"]) == ("updated", registrant_id)
    answer = client.get(f"/individual/{registrant_id}").json()
    assert answer["email"] == "new@example.org"
    assert answer["family_name"] == "Doe"
    assert sorted(i["id_type_as_str"] for i in answer["reg_ids"]) == ["National ID", "Passport"]
    accounts = answer["bank_ids"]
    # Merged: the known number (sent spaced and lower case) updated, never duplicated.
    assert [a["acc_number"] for a in accounts] == ["NEW-1", run.iban(1), run.other_number(1)]
    assert accounts[1]["acc_holder_name"] == "J. Doe"
    assert database.scalar("SELECT count(*) FROM bank_account WHERE registrant_id = :r", r=registrant_id) == 3
    assert statuses(results(client, [update])) == ["unchanged"]


def test_bad_items_are_rejected_alone_with_their_location(client, database, live_server, run):
    passport = {"id_type": "Passport", "value": f"PH-{run.prefix}"}
    held = run.item(90, ids=[{"id_type": "National ID", "value": run.national_id(90)}, passport])
    results(client, [held])
    before = database.counts()
    bad_iban = run.iban(3)[:-1] + ("0" if run.iban(3)[-1] != "0" else "1")
    items = [
        run.item(1),
        run.item(
            2, bank_ids=[{"bank_name": "X", "acc_number": "1"}, {"bank_name": "X", "acc_number": bad_iban}]
        ),
        run.item(3, ids=[{"id_type": "Passport", "value": f"P-{run.prefix}"}]),
        run.item(4, gender="Robot"),
        "not an object",
        run.item(1),
        {**run.item(5), "ids": [*run.item(5)["ids"], passport]},
        run.item(6, ids=[{"id_type": "Nope", "value": "1"}, *run.item(6)["ids"]]),
        run.item(7, given_name=None),
        {**run.item(8), "ids": [*run.item(8)["ids"], {"id_type": "National ID", "value": "other"}]},
    ]
    answer = results(client, items)
    assert statuses(answer) == ["created"] + ["rejected"] * 9
    locations = [[tuple(error["loc"]) for error in result["errors"]] for result in answer]
    assert locations[1] == [("bank_ids", 1, "acc_number")]
    assert locations[2] == [("ids",)]
    assert locations[3] == [("gender",)]
    assert locations[4] == [()]
    assert locations[5] == [("ids", 0, "value")]  # the same individual twice in one batch
    assert locations[6] == [("ids", 1, "value")]
    assert answer[6]["errors"][0]["msg"].endswith("is already assigned to another registrant.")
    assert locations[7] == [("ids", 0, "id_type")]
    assert locations[8] == [("given_name",)]
    assert locations[9] == [("ids", 1, "id_type")]  # two IDs of one type
    assert all(result["id"] is None for result in answer[1:])
    # Only the accepted item was written; the account number never shows in full.
    after = database.counts()
    assert after["registrant"] == before["registrant"] + 1
    assert after["bank_account"] == before["bank_account"] + 2
    assert bad_iban not in str(answer)
    assert bad_iban not in live_server.log_text()


def test_limits_and_refusals(client, live_server, run):
    too_many = post(client, [run.item(0, accounts=0)] * 1001)
    assert too_many.status_code == 422
    assert post(client, {"not": "a list"}).status_code == 422  # type: ignore[arg-type]
    unknown = post(client, [run.item(1)], id_type="Unknown type")
    assert unknown.status_code == 400
    assert "Unknown type" in unknown.json()["detail"]
    assert client.post(PATH, json=[run.item(1)]).status_code == 422  # id_type is required
    anonymous = httpx.post(f"{live_server.api_url}{PATH}", params=BY_NATIONAL_ID, json=[run.item(1)])
    assert anonymous.status_code == 401
    # Another ID type matches by that type's value.
    by_passport = [run.item(1, ids=[{"id_type": "Passport", "value": f"PP-{run.prefix}"}])]
    assert statuses(post(client, by_passport, id_type="Passport").json()) == ["created"]
    assert statuses(post(client, by_passport, id_type="Passport").json()) == ["unchanged"]
