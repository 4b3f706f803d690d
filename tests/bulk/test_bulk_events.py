"""The audit trail of bulk onboarding: `POST /bulk/individual` and `g2p-registry import` record
the events of the accounts they create and merge, as the single routes do, attributed to the
route's user or to the import command; unchanged and rejected items record nothing."""

from __future__ import annotations

import getpass
import json

import httpx

from tests.factories import BY_NATIONAL_ID, Run, write_jsonl

from .cli import run_cli
from .database import Database


def _bulk(client: httpx.Client, items: list) -> httpx.Response:
    response = client.post("/bulk/individual", params=BY_NATIONAL_ID, json=items)
    assert response.status_code == 200, response.text
    return response


def test_bulk_route_records_created_updated_and_nothing_for_unchanged_or_rejected(
    client: httpx.Client, database: Database, run: Run
) -> None:
    start = database.last_event_id()
    rejected = run.item(9, bank_ids=[{"bank_name": "B", "acc_number": "DE00 0000 0000 0000 0000 00"}])
    response = _bulk(client, [run.item(1), rejected, run.item(2)])
    ids = [result["id"] for result in response.json()]
    events = database.events(start)

    created = [(e["registrant_id"], e["kind"]) for e in events if e["kind"] == "created"]
    assert created == [(ids[0], "created")] * 2 + [(ids[2], "created")] * 2
    # The two banks of the run, each recorded once, for the first registrant that named them.
    assert [(e["kind"], e["registrant_id"]) for e in events if e["kind"] == "bank_created"] == [
        ("bank_created", ids[0])
    ] * 2
    assert {(e["actor"], e["method"], e["route"], e["request_id"]) for e in events} == {
        ("admin", "POST", "/bulk/individual", response.headers["X-Request-ID"])
    }
    accounts = {a["id"]: a for a in client.get(f"/registrant/{ids[0]}/bank_accounts").json()}
    for event in (e for e in events if e["registrant_id"] == ids[0] and e["kind"] == "created"):
        assert event["acc_number"] == "…" + accounts[event["account_id"]]["acc_number"][-4:]

    after_create = database.last_event_id()
    _bulk(client, [run.item(1), run.item(2)])
    assert database.events(after_create) == []

    renamed = run.item(1)
    renamed["bank_ids"][1]["acc_holder_name"] = "J. Doe"
    _bulk(client, [renamed])
    [updated] = database.events(after_create)
    assert (updated["kind"], updated["registrant_id"]) == ("updated", ids[0])
    assert json.loads(updated["changes"]) == {"acc_holder_name": {"before": None, "after": "J. Doe"}}


def test_import_records_its_events_as_the_command_one_request_id_per_run(migrated_database, run, tmp_path):
    url = migrated_database()
    database = Database(url)
    path = write_jsonl(tmp_path / "individuals.jsonl", [run.item(n) for n in range(12)])

    first = run_cli(url, "import", str(path), "--batch-size", "5", "--jobs", "2")
    assert first.returncode == 0, first.stderr
    events = database.events()
    assert [e["kind"] for e in events].count("created") == 24
    assert [e["kind"] for e in events].count("bank_created") == 2
    assert {(e["actor"], e["api_key"], e["method"], e["route"]) for e in events} == {
        (f"import:{getpass.getuser()}", None, "CLI", "cli:import")
    }
    assert len({e["request_id"] for e in events}) == 1
    assert len({(e["registrant_id"], e["account_id"]) for e in events if e["kind"] == "created"}) == 24

    # Unchanged: nothing recorded. Changed: recorded under the new run's own request id.
    items = [run.item(n) for n in range(12)]
    items[3]["bank_ids"][0]["primary"] = False
    items[3]["bank_ids"][1]["primary"] = True
    path = write_jsonl(tmp_path / "again.jsonl", items)
    last = database.last_event_id()
    second = run_cli(url, "import", str(path), "--batch-size", "5")
    assert second.returncode == 0, second.stderr
    moved = database.events(last)
    assert sorted((e["kind"], json.loads(e["changes"])["primary"]["after"]) for e in moved) == [
        ("updated", False),
        ("updated", True),
    ]
    assert len({e["registrant_id"] for e in moved}) == 1
    assert {e["request_id"] for e in moved}.isdisjoint({e["request_id"] for e in events})
    database.dispose()
