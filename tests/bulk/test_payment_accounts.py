"""`GET /payment_accounts`: every registrant that holds or held an account, once, in id order,
with its IDs and primary account; keyset pages that stay right while registrants are added."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from tests.factories import BY_NATIONAL_ID, Run

PATH = "/payment_accounts"
MAX_BATCHES_ADDED_WHILE_PAGING = 8


def bulk(client: httpx.Client, items: list) -> list[int]:
    answer = client.post("/bulk/individual", params=BY_NATIONAL_ID, json=items)
    assert answer.status_code == 200, answer.text
    assert all(result["status"] == "created" for result in answer.json()), answer.text
    return [result["id"] for result in answer.json()]


def all_pages(
    client: httpx.Client, *, limit: int = 50, after_first_page: Callable[[], object] | None = None, **params
) -> list[dict]:
    items, cursor = [], None
    while True:
        if cursor is not None and after_first_page is not None:
            after_first_page()
            after_first_page = None
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        page = client.get(PATH, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def of_run(items: list[dict], run: Run) -> list[dict]:
    return [item for item in items if any(run.prefix in i["value"] for i in item["ids"])]


def number_of(item: dict) -> int:
    return int(next(i["value"] for i in item["ids"] if i["id_type"] == "National ID").rsplit("-", 1)[1])


def test_every_account_holder_once_with_primary_account(client, run):
    ids = bulk(client, [run.item(n) for n in range(7)])
    [no_account] = bulk(client, [run.item(99, accounts=0)])
    listed = all_pages(client, limit=3)
    registrant_ids = [item["registrant_id"] for item in listed]
    assert registrant_ids == sorted(set(registrant_ids))
    mine = of_run(listed, run)
    assert [item["registrant_id"] for item in mine] == ids
    assert no_account not in registrant_ids
    for n, item in enumerate(mine):
        assert item["name"] == f"DOE, Jane {n}"
        assert item["is_group"] is False
        assert item["ids"] == [{"id_type": "National ID", "value": run.national_id(n)}]
        account = item["account"]
        assert (account["bank_name"], account["acc_number"], account["bic"]) == (
            f"Bulk Bank {run.prefix} 0",
            run.iban(n),
            None,
        )


def test_archived_accounts_leave_the_registrant_listed_without_account(client, run):
    [registrant_id] = bulk(client, [run.item(1)])
    for account in client.get(f"/registrant/{registrant_id}/bank_accounts").json():
        assert client.delete(f"/registrant/{registrant_id}/bank_accounts/{account['id']}").status_code == 204
    [item] = of_run(all_pages(client, limit=1000), run)
    assert (item["registrant_id"], item["account"]) == (registrant_id, None)


def test_updated_since_lists_what_changed_since(client, run):
    old, touched = bulk(client, [run.item(1), run.item(2)])
    time.sleep(0.05)
    since = datetime.now(UTC)
    [new] = bulk(client, [run.item(3)])
    # Not the bare prefix: six hex digits such as "DE12AB" are shaped like an IBAN and refused.
    added = client.post(
        f"/registrant/{touched}/bank_accounts", json={"bank_name": "B", "acc_number": f"ADDED-{run.prefix}"}
    )
    assert added.status_code == 201, added.text
    listed = of_run(all_pages(client, limit=2, updated_since=since.isoformat()), run)
    assert [item["registrant_id"] for item in listed] == [touched, new]
    assert old not in [item["registrant_id"] for item in listed]


def test_bad_paging_parameters_are_refused(client):
    assert client.get(PATH, params={"cursor": "not-a-cursor"}).status_code == 422
    assert client.get(PATH, params={"limit": 0}).status_code == 422
    assert client.get(PATH, params={"limit": 1001}).status_code == 422
    first = client.get(PATH, params={"limit": 1, "updated_since": "2000-01-01T00:00:00Z"}).json()
    if first["next_cursor"]:
        other = {"cursor": first["next_cursor"], "updated_since": "2001-01-01T00:00:00Z"}
        answer = client.get(PATH, params=other)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["query", "updated_since"]


def test_paging_while_registrants_are_added(client, live_server, run):
    existing = bulk(client, [run.item(n) for n in range(60)])
    stop, first_added = threading.Event(), threading.Event()
    added: list[int] = []

    def add_more() -> None:
        # Bounded: a writer faster than the reader would otherwise keep the listing from ending.
        with live_server.client() as writer:
            for n in range(1000, 1000 + 10 * MAX_BATCHES_ADDED_WHILE_PAGING, 10):
                if stop.is_set():
                    return
                added.extend(bulk(writer, [run.item(n + k) for k in range(10)]))
                first_added.set()

    thread = threading.Thread(target=add_more)
    thread.start()
    try:
        # Some are added while paging, however busy the machine: the second page waits for them.
        listed = all_pages(client, limit=7, after_first_page=lambda: first_added.wait(60))
    finally:
        stop.set()
        thread.join()
    registrant_ids = [item["registrant_id"] for item in listed]
    assert len(registrant_ids) == len(set(registrant_ids)), "a registrant was listed twice"
    assert registrant_ids == sorted(registrant_ids)
    assert set(existing) <= set(registrant_ids), "a registrant that existed when paging started was skipped"
    assert added, "nothing was added while paging"
    for item in of_run(listed, run):
        # Each item whole: its ID and its primary account belong together.
        assert item["account"]["acc_number"] == run.iban(number_of(item))
