"""Bad update requests (failing after valid elements) and bad path or query values on every route.

Each case builds its request from a Scene (fresh names each time) and says what must follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests import factories as make
from tests.conformance.bad_requests import RequestCase, unknown_type
from tests.conformance.scenes import UNKNOWN_ID, Attempt, Scene


def _update(
    third: Callable[[Scene], Any], params: Callable[[Scene], dict] | None = None, **expect
) -> Callable:
    """Two valid updates of the module's registrants, then ``third(scene)`` as element 2."""

    def build(scene: Scene) -> Attempt:
        body = [
            make.update(h.id_value, name=f"{scene.marker} renamed{i}", bank_ids=[make.bank_item()])
            for i, h in enumerate(scene.holders[:2])
        ]
        body.append(third(scene))
        banks = tuple(element["bank_ids"][0]["bank_name"] for element in body[:2])
        query = params(scene) if params else {"id_type": scene.ref.id_type}
        return Attempt(
            "PUT",
            "/update_individual",
            body,
            params=query,
            new_names=(scene.marker,),
            new_banks=banks,
            holders_unchanged=True,
            **expect,
        )

    return build


def _third_update(**changes: Any) -> Callable[[Scene], Any]:
    def third(scene: Scene) -> dict[str, Any]:
        return make.update(scene.holders[2].id_value, name=f"{scene.marker} renamed2", **changes)

    return third


def _get(
    path: Callable[[Scene], str], statuses: tuple[int, ...], params=None, method="GET", **kw
) -> Callable:
    def build(scene: Scene) -> Attempt:
        return Attempt(method, path(scene), params=params, statuses=statuses, **kw)

    return build


NOT_FOUND_OR_INVALID = (400, 404, 422)
R0 = "/registrant/{}/bank_accounts"


ROUTE_CASES: tuple[RequestCase, ...] = (
    RequestCase(
        "update-body-object",
        lambda s: Attempt(
            "PUT",
            "/update_individual",
            make.update("1"),
            params={"id_type": s.ref.id_type},
            loc=("body",),
        ),
    ),
    RequestCase("update-element-2-string", _update(lambda s: "update", loc=("body", 2))),
    RequestCase(
        "update-element-2-updateId-missing",
        _update(lambda s: {"name": "x", "ids": []}, loc=("body", 2, "updateId")),
    ),
    RequestCase(
        "update-element-2-bank_ids-string",
        _update(_third_update(bank_ids="DE89"), loc=("body", 2, "bank_ids")),
    ),
    RequestCase(
        "update-element-2-unknown-updateId",
        _update(lambda s: make.update(make.unique_value(), name="x"), statuses=(400,)),
    ),
    RequestCase(
        "update-element-2-unknown-id-type",
        _update(
            lambda s: make.update(s.holders[2].id_value, ids=[{"id_type": unknown_type(s), "value": "1"}]),
            statuses=(400,),
        ),
    ),
    RequestCase(
        "update-unknown-id_type-query",
        _update(_third_update(), params=lambda s: {"id_type": unknown_type(s)}, statuses=(400,)),
    ),
    RequestCase(
        "update-id_type-query-missing", _update(_third_update(), params=lambda s: {}, statuses=(400, 422))
    ),
    RequestCase("get-individual-id-not-a-number", _get(lambda s: "/individual/abc", NOT_FOUND_OR_INVALID)),
    RequestCase(
        "get-individual-id-beyond-int64",
        _get(lambda s: "/individual/99999999999999999999", NOT_FOUND_OR_INVALID),
    ),
    RequestCase("get-individual-id-negative", _get(lambda s: "/individual/-5", NOT_FOUND_OR_INVALID)),
    RequestCase("get-individual-unknown-id", _get(lambda s: f"/individual/{UNKNOWN_ID}", (400, 404))),
    RequestCase("get-group-id-not-a-number", _get(lambda s: "/group/abc", NOT_FOUND_OR_INVALID)),
    RequestCase(
        "get-group-id-beyond-int64", _get(lambda s: "/group/99999999999999999999", NOT_FOUND_OR_INVALID)
    ),
    RequestCase(
        "search-individual-_id-not-a-number", _get(lambda s: "/individual", (400, 422), params={"_id": "abc"})
    ),
    RequestCase(
        "search-group-include_members_full-not-boolean",
        _get(lambda s: "/group", (422,), params={"include_members_full": "maybe"}, loc=("query",)),
    ),
    RequestCase("accounts-registrant-not-a-number", _get(lambda s: R0.format("abc"), (404, 422))),
    RequestCase(
        "accounts-registrant-beyond-int64", _get(lambda s: R0.format(99999999999999999999), (404, 422))
    ),
    RequestCase("accounts-unknown-registrant", _get(lambda s: R0.format(UNKNOWN_ID), (404,))),
    RequestCase(
        "accounts-post-unknown-registrant",
        lambda s: Attempt(
            "POST",
            R0.format(UNKNOWN_ID),
            (item := make.bank_item()),
            statuses=(404,),
            new_banks=(item["bank_name"],),
        ),
    ),
    RequestCase(
        "accounts-put-unknown-registrant",
        lambda s: Attempt("PUT", R0.format(UNKNOWN_ID), [make.bank_item()], statuses=(404,)),
    ),
    RequestCase(
        "accounts-post-list-body",
        lambda s: Attempt(
            "POST", R0.format(s.holders[0].id), [make.bank_item()], loc=("body",), holders_unchanged=True
        ),
    ),
    RequestCase(
        "accounts-put-object-body",
        lambda s: Attempt(
            "PUT", R0.format(s.holders[0].id), make.bank_item(), loc=("body",), holders_unchanged=True
        ),
    ),
    RequestCase(
        "accounts-delete-unknown-account",
        _get(
            lambda s: R0.format(s.holders[0].id) + f"/{UNKNOWN_ID}",
            (404,),
            method="DELETE",
            holders_unchanged=True,
        ),
    ),
    RequestCase(
        "accounts-delete-account-not-a-number",
        _get(
            lambda s: R0.format(s.holders[0].id) + "/abc", (404, 422), method="DELETE", holders_unchanged=True
        ),
    ),
    RequestCase(
        "accounts-delete-other-registrants-account",
        _get(
            lambda s: R0.format(s.holders[0].id) + f"/{s.holders[1].account_ids[0]}",
            (404,),
            method="DELETE",
            holders_unchanged=True,
        ),
    ),
    RequestCase(
        "accounts-delete-unknown-registrant",
        _get(
            lambda s: R0.format(UNKNOWN_ID) + f"/{s.holders[1].account_ids[0]}",
            (404,),
            method="DELETE",
            holders_unchanged=True,
        ),
    ),
)
