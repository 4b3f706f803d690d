"""`revealed` events (contract sections 5 and 6): every answer carrying full account numbers is
recorded, per registrant for registrant answers (reads included: a read records them in a short
write transaction of its own once it is over), one per page of the payment list and one per
exported file; masked, hidden and account-less answers record nothing."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.factories import bank_item, individual
from tests.registry_server.cli import EVERY_EXTENSION, new_user, run_cli
from tests.support.live_server import LiveServer

from .api import accounts_path, ok


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(env=EVERY_EXTENSION)


def _as(server: LiveServer, name: str, *scopes: str) -> httpx.Client:
    password = f"{name} password"
    new_user(server.database_url, name, password, *scopes, **EVERY_EXTENSION)
    return httpx.Client(base_url=server.api_url, auth=(name, password), timeout=60)


def _revealed(admin: httpx.Client, registrant_id: int) -> list[dict]:
    history = ok(admin.get(f"{accounts_path(registrant_id)}/history", params={"limit": 500}))
    return [event for event in history["items"] if event["kind"] == "revealed"]


def test_reads_and_writes_that_answer_full_numbers_are_recorded_per_registrant(server: LiveServer) -> None:
    with server.client() as admin, _as(server, "payer", "registry:read", "bank:reveal") as payer:
        registrant = ok(admin.post("/individual", json=individual(bank_ids=[bank_item()])))
        after_create = _revealed(admin, registrant["id"])
        assert [(e["method"], e["route"], e["actor"]) for e in after_create] == [
            ("POST", "/individual", "admin")
        ]

        answer = payer.get(f"/individual/{registrant['id']}")
        assert ok(answer)["bank_ids"][0]["masked"] is False
        events = _revealed(admin, registrant["id"])
        assert len(events) == 2
        newest = events[0]
        assert (newest["method"], newest["route"], newest["actor"]) == ("GET", "/individual/{_id}", "payer")
        assert newest["request_id"] == answer.headers["X-Request-ID"]
        assert (newest["account_id"], newest["acc_number"], newest["count"]) == (None, None, None)

        ok(payer.get(accounts_path(registrant["id"])))
        assert len(_revealed(admin, registrant["id"])) == 3


def test_masked_hidden_and_account_less_answers_record_nothing(server: LiveServer) -> None:
    with (
        server.client() as admin,
        _as(server, "masked", "registry:read", "bank:read") as masked,
        _as(server, "reader", "registry:read") as reader,
    ):
        registrant = ok(admin.post("/individual", json=individual(bank_ids=[bank_item()])))
        bare = ok(admin.post("/individual", json=individual()))
        before = len(_revealed(admin, registrant["id"]))

        assert ok(masked.get(f"/individual/{registrant['id']}"))["bank_ids"][0]["masked"] is True
        assert ok(reader.get(f"/individual/{registrant['id']}"))["bank_ids"] is None
        ok(masked.get(accounts_path(registrant["id"])))
        ok(admin.get(f"/individual/{bare['id']}"))

        assert len(_revealed(admin, registrant["id"])) == before
        assert _revealed(admin, bare["id"]) == []


def test_a_payment_list_page_is_one_event_with_its_count_first_and_last(server: LiveServer) -> None:
    with server.client() as admin:
        for _ in range(3):
            ok(admin.post("/individual", json=individual(bank_ids=[bank_item()])))
        last_event = ok(admin.get("/bank_account_events", params={"after": 0, "limit": 500}))
        after = last_event["last_id"]
        while last_event["items"]:
            last_event = ok(admin.get("/bank_account_events", params={"after": after, "limit": 500}))
            after = last_event["last_id"] or after

        page = ok(admin.get("/payment_accounts", params={"limit": 2}))
        feed = ok(admin.get("/bank_account_events", params={"after": after}))["items"]

    [event] = feed
    listed = [entry["registrant_id"] for entry in page["items"]]
    assert (event["kind"], event["route"], event["registrant_id"]) == ("revealed", "/payment_accounts", None)
    assert (event["count"], event["first_registrant_id"], event["last_registrant_id"]) == (
        2,
        listed[0],
        listed[-1],
    )


def test_an_exported_file_is_one_event_of_the_export_command(server: LiveServer, tmp_path) -> None:
    with server.client() as admin:
        ok(admin.post("/individual", json=individual(bank_ids=[bank_item()])))
        start = ok(admin.get("/bank_account_events", params={"after": 0, "limit": 500}))
        after = start["last_id"]
        while True:
            more = ok(admin.get("/bank_account_events", params={"after": after, "limit": 500}))
            if not more["items"]:
                break
            after = more["last_id"]

        exported = run_cli(server.database_url, "export", str(tmp_path / "pay.csv"), **EVERY_EXTENSION)
        assert exported.returncode == 0, exported.stderr
        lines = (tmp_path / "pay.csv").read_text(encoding="utf-8").splitlines()
        feed = ok(admin.get("/bank_account_events", params={"after": after}))["items"]

    [event] = feed
    assert event["kind"] == "revealed" and event["route"] == "cli:export" and event["method"] == "CLI"
    assert event["actor"].startswith("export:")
    assert event["count"] == len(lines) - 1  # every registrant listed holds an account
