"""The same account number on several registrants (contract section 7): the policy on every
path that gives a registrant an account, the `shared` mark in answers, and the report (route and
command).

One database per backend, served by one server per policy: data written through one server is
seen by the others, so a test sets up holders under `flag` and checks what another policy does.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from g2p_bank_server.rules.shared_accounts import SharedAccountPolicy
from tests.factories import (
    bank_item,
    group,
    iban_number,
    individual,
    member,
    spaced_lowercase,
    unique_value,
    update,
)
from tests.support.live_server import LiveServer

from .api import BY_NATIONAL_ID, UPDATE_PATH, accounts_path, create_group, create_individual, ok
from .database import Database

HELD_ELSEWHERE = "account_held_elsewhere"
POLICIES = tuple(policy.value for policy in SharedAccountPolicy)


@pytest.fixture(scope="module")
def servers(server_factory: Callable[..., LiveServer], database_url: str) -> dict[str, LiveServer]:
    """One server per policy, all on the module's database (`flag` is the default: unset)."""
    started = {"flag": server_factory(database_url=database_url)}
    for policy in POLICIES:
        if policy != "flag":
            started[policy] = server_factory(
                database_url=database_url, env={"G2P_SHARED_ACCOUNT_POLICY": policy}
            )
            # The first server created the admin user: every client logs in as that one.
            started[policy].admin_password = started["flag"].admin_password
    return started


@pytest.fixture(scope="module")
def database(database_url: str, servers: dict[str, LiveServer]) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clients(servers: dict[str, LiveServer]) -> Iterator[dict[str, httpx.Client]]:
    opened = {policy: server.client() for policy, server in servers.items()}
    try:
        yield {policy: client.__enter__() for policy, client in opened.items()}
    finally:
        for client in opened.values():
            client.__exit__(None, None, None)


def refused_at(response: httpx.Response) -> list[list]:
    """The locations of a 422 that refuses items as held elsewhere (every error of that type)."""
    assert response.status_code == 422, (response.status_code, response.text)
    errors = response.json()["detail"]
    assert {error["type"] for error in errors} == {HELD_ELSEWHERE}, errors
    return [error["loc"] for error in errors]


def shared_flags(accounts: list[dict]) -> dict[str, bool]:
    return {account["acc_number"]: account["shared"] for account in accounts}


def members_of(group_answer: dict) -> list[dict]:
    return [membership["individual"] for membership in group_answer["group_membership_ids"]]


def holder(client: httpx.Client, number: str, **fields) -> dict:
    return create_individual(client, individual(bank_ids=[bank_item(acc_number=number)], **fields))


# --- flag (the default) and allow --------------------------------------------------------------


def test_flag_accepts_a_second_holder_and_marks_both(clients, database):
    number = iban_number()
    first = holder(clients["flag"], number)
    assert shared_flags(first["bank_ids"]) == {number: False}
    other = iban_number()
    second = create_individual(
        clients["flag"],
        individual(bank_ids=[bank_item(acc_number=other), bank_item(acc_number=spaced_lowercase(number))]),
    )
    assert shared_flags(second["bank_ids"]) == {other: False, spaced_lowercase(number): True}
    assert shared_flags(ok(clients["flag"].get(f"/individual/{first['id']}"))["bank_ids"]) == {number: True}
    assert shared_flags(ok(clients["flag"].get(accounts_path(first["id"])))) == {number: True}
    # allow: the same data, unmarked.
    assert shared_flags(ok(clients["allow"].get(accounts_path(first["id"])))) == {number: False}
    assert shared_flags(ok(clients["allow"].get(f"/individual/{second['id']}"))["bank_ids"]) == {
        other: False,
        spaced_lowercase(number): False,
    }


def test_only_active_accounts_of_active_holders_mark(clients):
    number = iban_number()
    first = holder(clients["flag"], number)
    second = holder(clients["flag"], number)
    [account] = ok(clients["flag"].get(accounts_path(second["id"])))
    ok(clients["flag"].delete(f"{accounts_path(second['id'])}/{account['id']}"), 204)
    assert shared_flags(ok(clients["flag"].get(accounts_path(first["id"])))) == {number: False}


def test_flag_marks_a_group_its_members_and_the_sub_resource_answers(clients):
    number, own = iban_number(), iban_number()
    answer = create_group(
        clients["flag"],
        group(
            members=[
                member(bank_ids=[bank_item(acc_number=number)]),
                member(bank_ids=[bank_item(acc_number=own)], kind=[{"name": "Spouse"}]),
            ],
            bank_ids=[bank_item(acc_number=number)],
        ),
    )
    assert shared_flags(answer["bank_ids"]) == {number: True}
    first, second = members_of(answer)
    assert shared_flags(first["bank_ids"]) == {number: True}
    assert shared_flags(second["bank_ids"]) == {own: False}
    added = ok(clients["flag"].post(accounts_path(second["id"]), json=bank_item(acc_number=number)), 201)
    assert added["shared"] is True
    replaced = ok(clients["flag"].put(accounts_path(first["id"]), json=[bank_item(acc_number=own)]))
    assert shared_flags(replaced) == {own: True}
    # The group keeps the number, now held by the second member too.
    assert shared_flags(ok(clients["flag"].get(accounts_path(answer["id"])))) == {number: True}


# --- block: every path -------------------------------------------------------------------------


def test_block_refuses_a_new_individual_naming_nobody_and_writing_nothing(clients, database):
    number = iban_number()
    first = holder(clients["flag"], number)
    before = database.row_counts()
    body = individual(bank_ids=[bank_item(), bank_item(acc_number=spaced_lowercase(number))])
    response = clients["block"].post("/individual", json=body)
    assert refused_at(response) == [["body", "bank_ids", 1, "acc_number"]]
    assert str(first["id"]) not in response.json()["detail"][0]["msg"]
    assert number not in response.text and number[-8:] not in response.text
    assert database.row_counts() == before
    # Accepted with another number; and under block_outside_group (no group shared) refused too.
    holder(clients["block"], iban_number())
    refused = clients["block_outside_group"].post("/individual", json=body)
    assert refused_at(refused) == [["body", "bank_ids", 1, "acc_number"]]


def test_block_refuses_a_member_or_a_group_taking_a_number_held_elsewhere(clients, database):
    number = iban_number()
    holder(clients["flag"], number)
    before = database.row_counts()
    members = [
        member(bank_ids=[bank_item()]),
        member(bank_ids=[bank_item(), bank_item(acc_number=number)], kind=[{"name": "Spouse"}]),
    ]
    response = clients["block"].post("/group", json=group(members=members))
    assert refused_at(response) == [["body", "members", 1, "bank_ids", 1, "acc_number"]]
    response = clients["block"].post(
        "/group", json=group(members=[member()], bank_ids=[bank_item(acc_number=number)])
    )
    assert refused_at(response) == [["body", "bank_ids", 0, "acc_number"]]
    assert database.row_counts() == before


def test_block_refuses_an_update_but_never_a_number_the_registrant_holds(clients, database):
    number, own = iban_number(), iban_number()
    holder(clients["flag"], number)
    body = individual(bank_ids=[bank_item(acc_number=own)])
    created = create_individual(clients["block"], body)
    updates = [
        update(
            body,
            bank_ids=[bank_item(acc_number=own, acc_holder_name="Renamed"), bank_item(acc_number=number)],
        )
    ]
    before = database.row_counts()
    response = clients["block"].put(UPDATE_PATH, params=BY_NATIONAL_ID, json=updates)
    assert refused_at(response) == [["body", 0, "bank_ids", 1, "acc_number"]]
    assert database.row_counts() == before
    # Re-sending its own number is accepted, under every policy.
    for policy in POLICIES:
        resent = ok(
            clients[policy].put(
                UPDATE_PATH, params=BY_NATIONAL_ID, json=[update(body, bank_ids=[bank_item(acc_number=own)])]
            )
        )
        assert [account["acc_number"] for account in resent[0]["bank_ids"]] == [own]
    assert (
        ok(clients["block"].post(accounts_path(created["id"]), json=bank_item(acc_number=own)), 200)["shared"]
        is False
    )


def test_block_refuses_the_sub_resource(clients, database):
    number = iban_number()
    holder(clients["flag"], number)
    target = holder(clients["flag"], iban_number())
    path = accounts_path(target["id"])
    before = database.row_counts()
    assert refused_at(clients["block"].post(path, json=bank_item(acc_number=number))) == [
        ["body", "acc_number"]
    ]
    response = clients["block"].put(path, json=[bank_item(), bank_item(acc_number=number)])
    assert refused_at(response) == [["body", 1, "acc_number"]]
    assert database.row_counts() == before


def test_reactivating_an_archived_account_is_checked_like_a_new_one(clients):
    number = iban_number()
    first = holder(clients["flag"], number)
    [account] = ok(clients["flag"].get(accounts_path(first["id"])))
    ok(clients["flag"].delete(f"{accounts_path(first['id'])}/{account['id']}"), 204)
    # The archived account does not count: another registrant may take the number.
    second = holder(clients["block"], number)
    assert shared_flags(second["bank_ids"]) == {number: False}
    # Bringing the first holder's account back now gives it a number held elsewhere.
    response = clients["block"].post(accounts_path(first["id"]), json=bank_item(acc_number=number))
    assert refused_at(response) == [["body", "acc_number"]]
    assert ok(clients["flag"].get(accounts_path(first["id"]))) == []
    reactivated = ok(clients["flag"].post(accounts_path(first["id"]), json=bank_item(acc_number=number)), 200)
    assert reactivated["id"] == account["id"] and reactivated["shared"] is True


def test_two_registrants_of_one_request_taking_one_new_number(clients, database):
    number = iban_number()
    # A group and its member: one household's account.
    body = group(
        members=[member(bank_ids=[bank_item(acc_number=number)])], bank_ids=[bank_item(acc_number=number)]
    )
    response = clients["block"].post("/group", json=body)
    # Members are written before their group: the group is the second holder.
    assert refused_at(response) == [["body", "bank_ids", 0, "acc_number"]]
    created = create_group(
        clients["block_outside_group"],
        body | {"ids": [{"id_type": "National ID", "value": unique_value("GID-")}]},
    )
    assert shared_flags(created["bank_ids"]) == {number: True}
    assert shared_flags(members_of(created)[0]["bank_ids"]) == {number: True}
    # Two unrelated individuals of one update: the second is refused under both blocking policies.
    bodies = [individual(), individual()]
    for body in bodies:
        create_individual(clients["flag"], body)
    other = iban_number()
    updates = [update(body, bank_ids=[bank_item(acc_number=other)]) for body in bodies]
    for policy in ("block", "block_outside_group"):
        response = clients[policy].put(UPDATE_PATH, params=BY_NATIONAL_ID, json=updates)
        assert refused_at(response) == [["body", 1, "bank_ids", 0, "acc_number"]]
    updated = ok(clients["flag"].put(UPDATE_PATH, params=BY_NATIONAL_ID, json=updates))
    assert [shared_flags(answer["bank_ids"]) for answer in updated] == [{other: True}, {other: True}]


def test_block_outside_group_accepts_holders_sharing_a_group(clients):
    number = iban_number()
    household = create_group(
        clients["flag"],
        group(members=[member(bank_ids=[bank_item(acc_number=number)]), member(kind=[{"name": "Spouse"}])]),
    )
    first, second = members_of(household)
    policy = clients["block_outside_group"]
    # The other member and the group itself share the group with the holder.
    assert (
        ok(policy.post(accounts_path(second["id"]), json=bank_item(acc_number=number)), 201)["shared"] is True
    )
    assert (
        ok(policy.post(accounts_path(household["id"]), json=bank_item(acc_number=number)), 201)["shared"]
        is True
    )
    # Someone outside the household is refused; under block even the household is refused.
    assert refused_at(policy.post("/individual", json=individual(bank_ids=[bank_item(acc_number=number)])))
    third = create_group(clients["flag"], group(members=[member(kind=[{"name": "Spouse"}])]))
    assert refused_at(
        clients["block"].post(accounts_path(members_of(third)[0]["id"]), json=bank_item(acc_number=number))
    )
    # One holder outside the group is enough to refuse a member.
    outsider = holder(clients["flag"], iban_number())
    later = iban_number()
    ok(clients["flag"].post(accounts_path(outsider["id"]), json=bank_item(acc_number=later)), 201)
    ok(clients["flag"].post(accounts_path(first["id"]), json=bank_item(acc_number=later)), 201)
    assert refused_at(policy.post(accounts_path(second["id"]), json=bank_item(acc_number=later))) == [
        ["body", "acc_number"]
    ]


# --- bulk onboarding and the import command ------------------------------------------------------


def test_bulk_applies_the_policy_per_item(clients, database):
    number, fresh = iban_number(), iban_number()
    holder(clients["flag"], number)
    items = [
        individual(bank_ids=[bank_item(), bank_item(acc_number=number)]),
        individual(bank_ids=[bank_item(acc_number=fresh)]),
        individual(bank_ids=[bank_item(acc_number=fresh)]),
        individual(bank_ids=[bank_item()]),
    ]
    before = database.row_counts()
    results = ok(clients["block"].post("/bulk/individual", params=BY_NATIONAL_ID, json=items))
    assert [result["status"] for result in results] == ["rejected", "created", "rejected", "created"]
    assert [result["errors"] for result in results if result["status"] == "rejected"] == [
        [
            {
                "loc": ["bank_ids", 1, "acc_number"],
                "msg": results[0]["errors"][0]["msg"],
                "type": HELD_ELSEWHERE,
            }
        ],
        [
            {
                "loc": ["bank_ids", 0, "acc_number"],
                "msg": results[0]["errors"][0]["msg"],
                "type": HELD_ELSEWHERE,
            }
        ],
    ]
    assert number not in json.dumps(results)
    # Rejected items wrote nothing: two individuals with one account each.
    after = database.row_counts()
    assert (after["registrant"] - before["registrant"], after["bank_account"] - before["bank_account"]) == (
        2,
        2,
    )
    assert database.accounts_of(results[1]["id"]) == [
        (database.accounts_of(results[1]["id"])[0][0], fresh, True)
    ]
    # An update through bulk re-sending its own number is accepted.
    resent = ok(clients["block"].post("/bulk/individual", params=BY_NATIONAL_ID, json=[items[1]]))
    assert resent[0]["status"] == "unchanged"
    # Under flag all of them are accepted and answers mark the shared numbers.
    again = [individual(bank_ids=[bank_item(acc_number=fresh)])]
    [result] = ok(clients["flag"].post("/bulk/individual", params=BY_NATIONAL_ID, json=again))
    assert result["status"] == "created"
    assert shared_flags(ok(clients["flag"].get(accounts_path(result["id"])))) == {fresh: True}


def _run_cli(database_url: str, policy: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
    env |= {"G2P_DATABASE_URL": database_url, "G2P_SHARED_ACCOUNT_POLICY": policy}
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "g2p_registry_server", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_import_command_rejects_rows_the_policy_refuses(clients, database_url, tmp_path, jobs):
    number, fresh = iban_number(), iban_number()
    holder(clients["flag"], number)
    records = [
        individual(bank_ids=[bank_item(acc_number=number)]),
        individual(bank_ids=[bank_item(acc_number=fresh)]),
        individual(bank_ids=[bank_item(acc_number=fresh)]),
    ]
    path = tmp_path / "individuals.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    done = _run_cli(database_url, "block", "import", str(path), "--batch-size", "2", "--jobs", jobs)
    assert done.returncode == 3, done.stderr
    assert "1 created, 0 updated, 0 unchanged, 2 rejected" in done.stdout
    rejects = [
        json.loads(line) for line in (tmp_path / "individuals.jsonl.rejected.jsonl").read_text().splitlines()
    ]
    assert {(tuple(reject["errors"][0]["loc"]), reject["errors"][0]["type"]) for reject in rejects} == {
        (("bank_ids", 0, "acc_number"), HELD_ELSEWHERE)
    }
    # Line 1 names a number held elsewhere; of lines 2 and 3, which take one new number, the
    # one whose batch commits first wins (with two jobs, either).
    lines = [reject["line"] for reject in rejects]
    assert lines[0] == 1 and lines[1:] in ([2], [3]), lines
    assert number not in done.stdout + done.stderr + str(rejects)


# --- the report ----------------------------------------------------------------------------------


def _all_pages(client: httpx.Client, limit: int) -> list[dict]:
    items, after, pages = [], 0, 0
    while after is not None:
        page = ok(client.get("/bank_accounts/shared", params={"after": after, "limit": limit}))
        assert len(page["items"]) <= limit
        items += page["items"]
        after = page["next_after"]
        pages += 1
        assert pages < 1000
    return items


def test_report_lists_shared_numbers_masked_in_key_order(clients):
    pair, trio, household_number, single = iban_number(), iban_number(), iban_number(), iban_number()
    first, second = holder(clients["flag"], pair), holder(clients["flag"], pair)
    trio_holders = [holder(clients["flag"], trio)["id"] for _ in range(3)]
    household = create_group(
        clients["flag"],
        group(
            members=[member(bank_ids=[bank_item(acc_number=household_number)])],
            bank_ids=[bank_item(acc_number=household_number)],
        ),
    )
    holder(clients["flag"], single)

    listed = _all_pages(clients["allow"], limit=2)
    keys = [shared["key"] for shared in listed]
    assert keys == sorted(set(keys))
    assert _all_pages(clients["block"], limit=500) == listed
    by_holders = {tuple(shared["registrant_ids"]): shared for shared in listed}
    assert by_holders[(first["id"], second["id"])]["acc_number"] == "…" + pair[-4:]
    assert by_holders[(first["id"], second["id"])]["share_group"] is False
    assert by_holders[tuple(trio_holders)]["acc_number"] == "…" + trio[-4:]
    household_ids = tuple(sorted([household["id"], members_of(household)[0]["id"]]))
    assert by_holders[household_ids]["share_group"] is True
    assert not any(
        shared["acc_number"].endswith(single[-4:]) and len(shared["registrant_ids"]) < 2 for shared in listed
    )
    text = json.dumps(listed)
    assert pair not in text and trio not in text and household_number not in text
    # Archiving one of a pair's accounts takes the number off the report.
    [account] = ok(clients["flag"].get(accounts_path(second["id"])))
    ok(clients["flag"].delete(f"{accounts_path(second['id'])}/{account['id']}"), 204)
    assert (first["id"], second["id"]) not in {
        tuple(shared["registrant_ids"]) for shared in _all_pages(clients["flag"], 100)
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"after": -1}, "after"), ({"after": "x"}, "after")],
)
def test_report_refuses_bad_paging(clients, params, field):
    response = clients["flag"].get("/bank_accounts/shared", params=params)
    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]


def test_report_command_writes_masked_csv_pages(clients, database_url, tmp_path):
    numbers = [iban_number() for _ in range(3)]
    for number in numbers:
        holder(clients["flag"], number)
        holder(clients["flag"], number)
    listed = _all_pages(clients["flag"], limit=500)
    path = tmp_path / "shared.csv"
    done = _run_cli(database_url, "flag", "report", "shared-accounts", str(path))
    assert done.returncode == 0, done.stderr
    assert f"Wrote {len(listed)} shared account numbers" in done.stdout
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows == [
        {
            "key": str(shared["key"]),
            "acc_number": shared["acc_number"],
            "registrant_ids": " ".join(str(registrant) for registrant in shared["registrant_ids"]),
            "share_group": "true" if shared["share_group"] else "false",
        }
        for shared in listed
    ]
    content = path.read_text(encoding="utf-8")
    assert not any(number in content for number in numbers)
    assert not Path(str(path) + ".partial").exists()


def test_an_unknown_policy_stops_startup_naming_the_setting(database_url):
    done = _run_cli(database_url, "blokc", "serve", "--port", "1")
    assert done.returncode == 2
    assert "G2P_SHARED_ACCOUNT_POLICY" in done.stderr and "block_outside_group" in done.stderr
