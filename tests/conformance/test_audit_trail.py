"""CONTRACT section 6, the audit trail of bank details, black-box: an account created, its holder
updated, archived and reactivated through the routes; the registrant's history lists exactly
those account events, newest first, with masked numbers, the configured user as actor and the
request ids the answers carried; the feed lists them oldest first; a failed request leaves none.
"""

from __future__ import annotations

import re
import secrets

import httpx

from tests import factories as make

ACCOUNT_KINDS = {"created", "updated", "archived", "reactivated"}
MASKED = re.compile(r"….{0,4}")


def _request_id() -> str:
    return f"conformance-{secrets.token_hex(8)}"


def _history(api: httpx.Client, registrant_id: int, **params: object) -> dict:
    return make.created(api.get(f"/registrant/{registrant_id}/bank_accounts/history", params=params))


def _account_events(api: httpx.Client, registrant_id: int) -> list[dict]:
    """The registrant's account events (not bank or reveal events), newest first."""
    return [e for e in _history(api, registrant_id, limit=500)["items"] if e["kind"] in ACCOUNT_KINDS]


def test_each_change_is_recorded_once_with_its_actor_request_and_masked_number(
    api: httpx.Client, ref, target
) -> None:
    number = make.iban_number()
    item = make.bank_item(acc_number=number, acc_holder_name="Holder One")
    body = make.individual(ref, bank_ids=[item])
    sent = [_request_id() for _ in range(4)]

    created = api.post("/individual", json=body, headers={"X-Request-ID": sent[0]})
    person = make.created(created)
    assert created.headers.get("X-Request-ID") == sent[0], "the client's X-Request-ID is echoed"
    [account] = person["bank_ids"]
    path = f"/registrant/{person['id']}/bank_accounts"
    renamed = make.update(make.id_value_of(body), bank_ids=[item | {"acc_holder_name": "Holder Two"}])
    make.created(
        api.put(
            "/update_individual",
            params={"id_type": ref.id_type},
            json=[renamed],
            headers={"X-Request-ID": sent[1]},
        )
    )
    archived = api.delete(f"{path}/{account['id']}", headers={"X-Request-ID": sent[2]})
    assert archived.status_code == 204, archived.text
    back = api.post(path, json=item | {"acc_holder_name": "Holder Two"}, headers={"X-Request-ID": sent[3]})
    assert back.status_code == 200, back.text

    events = _account_events(api, person["id"])
    assert [e["kind"] for e in events] == ["reactivated", "archived", "updated", "created"]
    assert [e["request_id"] for e in events] == list(reversed(sent))
    assert [e["method"] for e in events] == ["POST", "DELETE", "PUT", "POST"]
    assert events[1]["changes"] == {}
    assert events[2]["changes"] == {"acc_holder_name": {"before": "Holder One", "after": "Holder Two"}}
    assert events[3]["changes"]["acc_holder_name"] == {"before": None, "after": "Holder One"}
    for event in events:
        assert event["actor"] == target.auth[0]
        assert event["registrant_id"] == person["id"] and event["account_id"] == account["id"]
        assert MASKED.fullmatch(event["acc_number"]) and event["acc_number"].endswith(number[-4:])
        assert make.normalized(number) not in make.normalized(str(event)), "a number in full in an event"
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True)


def test_events_name_the_configured_user_and_ids_are_generated_when_absent(
    api: httpx.Client, ref, target
) -> None:
    response = api.post("/individual", json=make.individual(ref, bank_ids=[make.bank_item()]))
    person = make.created(response)
    generated = response.headers.get("X-Request-ID")
    assert generated, "an answer carries X-Request-ID even when the client sent none"
    [event] = _account_events(api, person["id"])
    assert (event["kind"], event["actor"], event["request_id"]) == ("created", target.auth[0], generated)


def test_the_feed_lists_the_same_events_oldest_first(api: httpx.Client, ref) -> None:
    person = make.created(
        api.post("/individual", json=make.individual(ref, bank_ids=[make.bank_item(), make.bank_item()]))
    )
    own = list(reversed(_account_events(api, person["id"])))
    page = make.created(api.get("/bank_account_events", params={"after": own[0]["id"] - 1, "limit": 500}))
    listed = [e["id"] for e in page["items"]]
    assert listed == sorted(listed)
    assert [e for e in page["items"] if e["id"] in {o["id"] for o in own}] == own
    assert page["last_id"] == listed[-1]


def test_a_failed_request_leaves_no_event(api: httpx.Client, ref) -> None:
    item = make.bank_item(acc_holder_name="Kept")
    body = make.individual(ref, bank_ids=[item])
    person = make.created(api.post("/individual", json=body))
    before = _account_events(api, person["id"])
    changed = make.update(make.id_value_of(body), bank_ids=[item | {"acc_holder_name": "Lost"}])
    unknown = make.update(make.unique_value(), name="Nobody")
    failed = api.put("/update_individual", params={"id_type": ref.id_type}, json=[changed, unknown])
    assert failed.status_code >= 400, failed.text
    assert _account_events(api, person["id"]) == before


def test_paging_limits_are_checked(api: httpx.Client, ref) -> None:
    person = make.created(api.post("/individual", json=make.individual(ref)))
    for path in (f"/registrant/{person['id']}/bank_accounts/history", "/bank_account_events"):
        for limit in (0, 501):
            response = api.get(path, params={"limit": limit})
            assert response.status_code == 422, (path, limit, response.text)
            assert ["query", "limit"] in [error["loc"] for error in response.json()["detail"]]
    assert api.get("/registrant/2000000000/bank_accounts/history").status_code == 404
