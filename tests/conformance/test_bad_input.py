"""Bad input is answered 4xx naming the field, and writes nothing (CONTRACT sections 1-3, issue 5 item 2).

Every bank-item rule is tried in every request that carries items, after valid items; every other
bad request (wrong types, missing keys, oversized or undecodable bodies, unknown reference data,
bad paths) is tried once. Afterwards nothing carrying the case's names exists, no bank named in
the request exists, and the module's registrants answer exactly as before.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests import factories as make
from tests.conformance import exposure
from tests.conformance.bad_items import ITEM_RULES, LIST_RULES
from tests.conformance.bad_requests import REQUEST_CASES, RequestCase
from tests.conformance.bad_routes import ROUTE_CASES
from tests.conformance.figures import FIGURES
from tests.conformance.scenes import (
    ITEM_CONTEXTS,
    LIST_CONTEXTS,
    Attempt,
    Holder,
    Scene,
    banks_absent,
    nothing_named,
    place_items,
    snapshot,
)
from tests.conformance.target import Reference, Target


@pytest.fixture(scope="module")
def holders(target: Target) -> tuple[Holder, ...]:
    """Three registrants with two accounts each, which no bad request may change."""
    made = []
    with target.client() as api:
        for _ in range(3):
            body = make.individual(
                target.reference,
                bank_ids=[make.bank_item(acc_number=make.iban_number(spaced=True)), make.bank_item()],
            )
            answer = make.created(api.post("/individual", json=body))
            made.append(
                Holder(
                    id=answer["id"],
                    id_value=make.id_value_of(body),
                    name=answer["name"],
                    account_ids=tuple(account["id"] for account in answer["bank_ids"]),
                )
            )
    return tuple(made)


def _scene(ref: Reference, holders: tuple[Holder, ...]) -> Scene:
    return Scene(ref=ref, holders=holders, marker=make.unique_value("Rejected "))


def _error_locations(response: httpx.Response) -> list[tuple[Any, ...]]:
    detail = response.json().get("detail")
    if not isinstance(detail, list):
        return []
    return [tuple(error.get("loc") or ()) for error in detail if isinstance(error, dict)]


def _sent_numbers(attempt: Attempt) -> list[str]:
    """Account numbers of this request, to make sure the error does not repeat them whole."""
    text = repr(attempt.json)
    return [number for number in exposure.account_numbers() if number in text]


def _play(api: httpx.Client, scene: Scene, attempt: Attempt) -> None:
    before = snapshot(api, scene.holders) if attempt.holders_unchanged else None
    response = attempt.send(api)
    rejected = response.status_code in attempt.statuses
    FIGURES.bad_input(rejected=rejected)
    assert rejected, f"expected {attempt.statuses}, got {response.status_code}: {response.text[:1000]}"
    if response.status_code == 422 and attempt.loc is not None:
        locations = _error_locations(response)
        assert any(loc[: len(attempt.loc)] == attempt.loc for loc in locations), (
            f"no error located at {attempt.loc}: {locations}"
        )
    if 400 <= response.status_code < 500 and response.status_code != 413:
        detail = response.json().get("detail")
        assert detail, f"a rejection must say why: {response.text[:500]}"
    leaked = exposure.leaks_in(response.text, set(_sent_numbers(attempt)))
    assert not leaked, f"the error repeats account numbers whole: {[exposure.masked(n) for n in leaked]}"
    problems = [problem for name in attempt.new_names for problem in nothing_named(api, name)]
    problems += banks_absent(api, scene.ref, attempt.new_banks)
    if before is not None:
        after = snapshot(api, scene.holders)
        problems += [
            f"registrant {b.get('id')} changed" for b, a in zip(before, after, strict=True) if a != b
        ]
    assert not problems, "a rejected request wrote: " + "; ".join(problems)


ITEM_CASES = [
    pytest.param(context, rule, id=f"{context}-{rule.name}")
    for rule in ITEM_RULES
    for context in ITEM_CONTEXTS
]
LIST_CASES = [
    pytest.param(context, rule, id=f"{context}-{rule.name}")
    for rule in LIST_RULES
    for context in LIST_CONTEXTS
]


@pytest.mark.parametrize(("context", "rule"), ITEM_CASES)
def test_bad_bank_item_after_valid_items(api, ref, holders, context, rule) -> None:
    scene = _scene(ref, holders)
    items = [make.bank_item(), make.bank_item(acc_number=make.iban_number(spaced=True)), rule.make()]
    attempt = place_items(context, scene, items, 2, rule.field)
    attempt.statuses = rule.statuses
    _play(api, scene, attempt)


@pytest.mark.parametrize(("context", "rule"), LIST_CASES)
def test_items_breaking_a_list_rule(api, ref, holders, context, rule) -> None:
    scene = _scene(ref, holders)
    items = [make.bank_item(), make.bank_item(), *rule.make()]
    _play(api, scene, place_items(context, scene, items, len(items) - 1, rule.field))


@pytest.mark.parametrize("case", [*REQUEST_CASES, *ROUTE_CASES], ids=lambda case: case.name)
def test_bad_request(api, ref, holders, case: RequestCase) -> None:
    scene = _scene(ref, holders)
    _play(api, scene, case.build(scene))


@pytest.mark.standalone_only
@pytest.mark.parametrize(
    "case",
    [case for case in REQUEST_CASES if "unknown" in case.name],
    ids=lambda case: case.name,
)
def test_business_error_names_the_unknown_value(api, ref, holders, case: RequestCase) -> None:
    attempt = case.build(_scene(ref, holders))
    response = attempt.send(api)
    assert response.status_code == 400, response.text[:500]
    assert attempt.mentions and attempt.mentions in response.json()["detail"], response.text[:500]
