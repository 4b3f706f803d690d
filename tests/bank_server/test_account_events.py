"""The audit trail of bank details (contract section 6) through every route that changes
accounts: which events each change makes, what they say, that a failed request leaves none, that
the database refuses to change or remove an event, and the two routes that read the trail."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.exc import DBAPIError

from tests.factories import bank_item, group, individual, member, random_bic, update
from tests.registry_server.cli import run_cli
from tests.support.live_server import LiveServer

from .api import accounts_path, create_group, create_individual, ok, update_individuals
from .database import Database

UNKNOWN_REGISTRANT = 2_000_000_000
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def history(client: httpx.Client, registrant_id: int, **params: object) -> dict:
    return ok(client.get(f"{accounts_path(registrant_id)}/history", params=params))


def events_of(client: httpx.Client, registrant_id: int, *, revealed: bool = False) -> list[dict]:
    """The registrant's events, oldest first (the history is newest first); without the
    `revealed` events of answers (this module's client holds bank:reveal) unless asked."""
    events = reversed(history(client, registrant_id, limit=500)["items"])
    return [event for event in events if revealed or event["kind"] != "revealed"]


def kinds(events: list[dict]) -> list[str]:
    return [event["kind"] for event in events]


def masked(number: str) -> str:
    return "…" + number[-4:]


def test_create_records_each_account_and_each_new_bank(client: httpx.Client) -> None:
    bic = random_bic()
    first, second = bank_item(acc_holder_name="Achieng Odhiambo"), bank_item(bic=bic)
    response = client.post("/individual", json=individual(bank_ids=[first, second]))
    registrant = ok(response)
    request_id = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(request_id)

    events = events_of(client, registrant["id"])

    assert kinds(events) == ["bank_created", "bank_created", "created", "created"]
    by_kind = {kind: [e for e in events if e["kind"] == kind] for kind in set(kinds(events))}
    # Banks created are recorded in bank id order (rules.audit.write_order), whatever the items' order.
    assert sorted((e["changes"] for e in by_kind["bank_created"]), key=str) == sorted(
        [
            {"bank_name": {"before": None, "after": first["bank_name"]}},
            {
                "bank_name": {"before": None, "after": second["bank_name"]},
                "bic": {"before": None, "after": bic},
            },
        ],
        key=str,
    )
    assert [e["bank_id"] for e in by_kind["bank_created"]] == sorted(
        e["bank_id"] for e in by_kind["bank_created"]
    )
    assert {e["account_id"] for e in by_kind["bank_created"]} == {None}
    assert len({e["bank_id"] for e in by_kind["bank_created"]}) == 2
    created = by_kind["created"]
    assert [e["account_id"] for e in created] == [a["id"] for a in registrant["bank_ids"]]
    assert [e["acc_number"] for e in created] == [masked(first["acc_number"]), masked(second["acc_number"])]
    assert created[0]["changes"] == {
        "bank_name": {"before": None, "after": first["bank_name"]},
        "acc_holder_name": {"before": None, "after": "Achieng Odhiambo"},
        "primary": {"before": False, "after": True},
    }
    assert "primary" not in created[1]["changes"]
    assert created[1]["changes"]["bic"] == {"before": None, "after": bic}
    for event in events:
        assert (event["actor"], event["api_key"], event["method"], event["route"]) == (
            "admin",
            None,
            "POST",
            "/individual",
        )
        assert event["request_id"] == request_id
        assert event["registrant_id"] == registrant["id"]


def test_the_client_request_id_is_echoed_and_recorded_an_implausible_one_replaced(
    client: httpx.Client,
) -> None:
    sent = "batch-42/item:7"
    response = client.post(
        "/individual", json=individual(bank_ids=[bank_item()]), headers={"X-Request-ID": sent}
    )
    assert response.headers["X-Request-ID"] == sent
    assert {e["request_id"] for e in events_of(client, ok(response)["id"])} == {sent}

    replaced = client.get("/individual", params={"name": "nobody"}, headers={"X-Request-ID": "two words"})
    assert GENERATED_ID.fullmatch(replaced.headers["X-Request-ID"])
    refused = httpx.get(f"{client.base_url}/individual/1", headers={"X-Request-ID": "abc"})
    assert (refused.status_code, refused.headers["X-Request-ID"]) == (401, "abc")


def test_update_records_changed_fields_only(client: httpx.Client) -> None:
    sent = bank_item(acc_holder_name="Achieng")
    body = individual(bank_ids=[sent])
    registrant = create_individual(client, body)
    before = len(events_of(client, registrant["id"]))

    update_individuals(client, [update(body, bank_ids=[sent | {"acc_holder_name": "Achieng O."}])])
    update_individuals(client, [update(body, bank_ids=[sent | {"acc_holder_name": "Achieng O."}])])

    events = events_of(client, registrant["id"])[before:]
    [updated] = events  # the second, identical update changed nothing
    assert (updated["kind"], updated["method"], updated["route"]) == ("updated", "PUT", "/update_individual")
    assert updated["changes"] == {"acc_holder_name": {"before": "Achieng", "after": "Achieng O."}}
    assert updated["account_id"] == registrant["bank_ids"][0]["id"]


def test_update_individual_adds_and_reactivates_accounts(client: httpx.Client) -> None:
    kept, dropped = bank_item(), bank_item()
    body = individual(bank_ids=[kept, dropped])
    registrant = create_individual(client, body)
    dropped_id = registrant["bank_ids"][1]["id"]
    ok(client.delete(f"{accounts_path(registrant['id'])}/{dropped_id}"), 204)
    start = len(events_of(client, registrant["id"]))
    added = {
        "bank_name": kept["bank_name"],
        "acc_number": bank_item()["acc_number"],
        "acc_holder_name": "Added",
    }

    [answer] = update_individuals(client, [update(body, bank_ids=[dropped, added])])

    events = events_of(client, registrant["id"])[start:]
    added_id = next(a["id"] for a in answer["bank_ids"] if a["acc_number"] == added["acc_number"])
    assert {(e["kind"], e["account_id"]) for e in events} == {
        ("reactivated", dropped_id),
        ("created", added_id),
    }
    assert next(e for e in events if e["kind"] == "created")["changes"] == {
        "bank_name": {"before": None, "after": kept["bank_name"]},
        "acc_holder_name": {"before": None, "after": "Added"},
    }
    assert {(e["method"], e["route"]) for e in events} == {("PUT", "/update_individual")}


def test_primary_moves_are_recorded_on_both_accounts(client: httpx.Client) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item(), bank_item()]))
    old_primary, other = registrant["bank_ids"]
    before = len(events_of(client, registrant["id"]))
    moved = {"bank_name": other["bank_name"], "acc_number": other["acc_number"], "primary": True}

    ok(client.post(accounts_path(registrant["id"]), json=moved))

    events = events_of(client, registrant["id"])[before:]
    assert {(e["kind"], e["account_id"]): e["changes"] for e in events} == {
        ("updated", old_primary["id"]): {"primary": {"before": True, "after": False}},
        ("updated", other["id"]): {"primary": {"before": False, "after": True}},
    }
    assert {(e["method"], e["route"]) for e in events} == {
        ("POST", "/registrant/{registrant_id}/bank_accounts")
    }


def test_sub_resource_archive_reactivate_and_replace(client: httpx.Client) -> None:
    first, second = bank_item(), bank_item()
    registrant = create_individual(client, individual(bank_ids=[first, second]))
    path = accounts_path(registrant["id"])
    primary, other = registrant["bank_ids"]
    start = len(events_of(client, registrant["id"]))

    ok(client.delete(f"{path}/{primary['id']}"), 204)
    archived = events_of(client, registrant["id"])[start:]
    assert {(e["kind"], e["account_id"]) for e in archived} == {
        ("archived", primary["id"]),
        ("updated", other["id"]),
    }
    assert next(e for e in archived if e["kind"] == "archived")["changes"] == {}
    assert next(e for e in archived if e["kind"] == "updated")["changes"] == {
        "primary": {"before": False, "after": True}
    }
    assert {(e["method"], e["route"]) for e in archived} == {
        ("DELETE", "/registrant/{registrant_id}/bank_accounts/{account_id}")
    }
    # Archiving an archived account changes nothing, and records nothing.
    ok(client.delete(f"{path}/{primary['id']}"), 204)
    assert len(events_of(client, registrant["id"])) == start + 2

    # Reactivated, the older account is first again: primary moves back to it.
    ok(client.post(path, json=first), 200)
    back = events_of(client, registrant["id"])[start + 2 :]
    assert {(e["kind"], e["account_id"], e["method"]): e["changes"] for e in back} == {
        ("reactivated", primary["id"], "POST"): {"primary": {"before": False, "after": True}},
        ("updated", other["id"], "POST"): {"primary": {"before": True, "after": False}},
    }

    third = bank_item(acc_holder_name="New holder")
    answer = ok(client.put(path, json=[third]))
    replaced = events_of(client, registrant["id"])[start + 4 :]
    assert sorted((e["kind"], e["account_id"]) for e in replaced if e["kind"] != "bank_created") == sorted(
        [("archived", primary["id"]), ("archived", other["id"]), ("created", answer[0]["id"])]
    )
    assert {e["method"] for e in replaced} == {"PUT"}


def test_group_and_members_each_get_their_events(client: httpx.Client) -> None:
    created = create_group(
        client,
        group(
            bank_ids=[bank_item()],
            members=[member(bank_ids=[bank_item()]), member(bank_ids=[bank_item(), bank_item()], kind=[])],
        ),
    )
    registrants = [created, *(m["individual"] for m in created["group_membership_ids"])]
    for registrant in registrants:
        events = events_of(client, registrant["id"])
        created_ids = [e["account_id"] for e in events if e["kind"] == "created"]
        assert created_ids == [a["id"] for a in registrant["bank_ids"]]
        assert {(e["method"], e["route"]) for e in events} == {("POST", "/group")}
    assert len({e["request_id"] for r in registrants for e in events_of(client, r["id"])}) == 1


def test_a_failed_request_leaves_no_event(client: httpx.Client, database: Database) -> None:
    sent = bank_item(acc_holder_name="Before")
    body = individual(bank_ids=[sent])
    registrant = create_individual(client, body)
    count = database.event_count()

    failed = client.put(
        "/update_individual",
        params={"id_type": "National ID"},
        json=[
            update(body, bank_ids=[sent | {"acc_holder_name": "After"}, bank_item()]),
            {"updateId": "nobody"},
        ],
    )

    assert failed.status_code == 400, failed.text
    assert database.event_count() == count
    assert client.get(accounts_path(registrant["id"])).json()[0]["acc_holder_name"] == "Before"


def test_an_api_key_is_named_in_its_events(live_server: LiveServer, client: httpx.Client) -> None:
    created = run_cli(
        live_server.database_url, "api-key", "create", "admin", "--name", "payments sync", "--all-scopes"
    )
    assert created.returncode == 0, created.stderr
    with httpx.Client(base_url=live_server.api_url, auth=("admin", created.stdout.strip())) as keyed:
        registrant = ok(keyed.post("/individual", json=individual(bank_ids=[bank_item()])))
    assert {(e["actor"], e["api_key"]) for e in events_of(client, registrant["id"])} == {
        ("admin", "payments sync")
    }


@pytest.mark.parametrize(
    "statement", ["UPDATE bank_account_event SET kind = 'x'", "DELETE FROM bank_account_event"]
)
def test_the_database_refuses_to_change_or_remove_events(
    client: httpx.Client, database: Database, statement: str
) -> None:
    create_individual(client, individual(bank_ids=[bank_item()]))
    count = database.event_count()
    with pytest.raises(DBAPIError, match="append-only"):
        database.execute(statement)
    assert database.event_count() == count


def test_history_pages_newest_first_without_gaps(client: httpx.Client) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item() for _ in range(5)]))
    everything = history(client, registrant["id"], limit=500)
    assert everything["next_before"] is None
    ids = [e["id"] for e in everything["items"]]
    # 5 banks and 5 accounts created, and the answer's revealed event.
    assert len(ids) == 11 and ids == sorted(ids, reverse=True)

    paged, before = [], None
    while True:
        page = history(client, registrant["id"], limit=3, **({"before": before} if before else {}))
        paged += [e["id"] for e in page["items"]]
        before = page["next_before"]
        if before is None:
            break
        assert before == page["items"][-1]["id"]
    assert paged == ids


def test_feed_pages_oldest_first_from_any_event(client: httpx.Client) -> None:
    registrant = create_individual(client, individual(bank_ids=[bank_item(), bank_item()]))
    own = [e["id"] for e in events_of(client, registrant["id"])]
    start = own[0] - 1

    page = ok(client.get("/bank_account_events", params={"after": start, "limit": 2}))
    assert [e["id"] for e in page["items"]] == own[:2]
    assert page["last_id"] == own[1]
    rest = ok(client.get("/bank_account_events", params={"after": page["last_id"], "limit": 500}))
    assert [e["id"] for e in rest["items"]][: len(own) - 2] == own[2:]
    last = rest["last_id"]
    assert ok(client.get("/bank_account_events", params={"after": last})) == {"items": [], "last_id": None}
    first = ok(client.get("/bank_account_events", params={"limit": 1}))["items"]
    assert first[0]["id"] <= own[0]


def test_history_of_an_unknown_registrant_is_404(client: httpx.Client) -> None:
    assert client.get(f"{accounts_path(UNKNOWN_REGISTRANT)}/history").status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/bank_account_events", {"limit": 0}, "limit"),
        ("/bank_account_events", {"limit": 501}, "limit"),
        ("/bank_account_events", {"after": -1}, "after"),
        ("/bank_account_events", {"after": "x"}, "after"),
        ("history", {"limit": 501}, "limit"),
        ("history", {"before": 0}, "before"),
    ],
)
def test_bad_paging_is_422_naming_the_field(
    client: httpx.Client, path: str, params: dict, field: str
) -> None:
    if path == "history":
        path = f"{accounts_path(create_individual(client, individual())['id'])}/history"
    response = client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]
