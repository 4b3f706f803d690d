"""The audit trail's routes: a registrant's bank-detail history, newest first, and the feed of
every event, oldest first, for export to a security system. Both page by event id (keyset).

They live in a router of their own so that the `audit:read` scope guards both in one place.
"""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Row

from g2p_bank_server.rules import audit
from g2p_bank_server.rules.scopes import Scope
from g2p_registry_server.api.deps import OneTripRoute, SessionDep, require_scope, scope_answers
from g2p_registry_server.registrants.repository import MAX_RECORD_ID

from . import repository, service
from .routers import ACCOUNTS_PATH, RegistrantIdPath

# Every route of this module needs audit:read (contract sections 6 and 7).
router = APIRouter(
    route_class=OneTripRoute,
    tags=["audit trail"],
    dependencies=[require_scope(Scope.AUDIT_READ)],
    responses=scope_answers(Scope.AUDIT_READ),
)

PageLimit = Annotated[
    int,
    Query(
        ge=1, le=audit.HISTORY_PAGE_LIMIT, description=f"Events per page (at most {audit.HISTORY_PAGE_LIMIT})"
    ),
]

_EVENT_EXAMPLE = {
    "id": 4812,
    "time": "2026-03-02T09:41:17.204311",
    "kind": "updated",
    "actor": "payments-sync",
    "api_key": "nightly import",
    "method": "PUT",
    "route": "/registrant/{registrant_id}/bank_accounts",
    "request_id": "7f3c1e9a2b6d4c0f8e5a1b2c3d4e5f60",
    "registrant_id": 1207,
    "account_id": 3311,
    "bank_id": 14,
    "acc_number": "…3000",
    "changes": {
        "acc_holder_name": {"before": "Jane Doe", "after": "Jane A. Doe"},
        "primary": {"before": False, "after": True},
    },
    "count": None,
    "first_registrant_id": None,
    "last_registrant_id": None,
}


def _example(page: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": page}}}}


def _event(row: Row) -> audit.BankAccountEvent:
    values = row._asdict()
    values["changes"] = json.loads(values["changes"]) if values["changes"] else {}
    return audit.BankAccountEvent.model_validate(values)


@router.get(
    ACCOUNTS_PATH + "/history",
    response_model=audit.RegistrantHistoryPage,
    responses={
        **_example({"items": [_EVENT_EXAMPLE], "next_before": 4812}),
        404: {"description": "No such registrant"},
    },
)
def registrant_history(
    registrant_id: RegistrantIdPath,
    session: SessionDep,
    limit: PageLimit = audit.DEFAULT_PAGE_LIMIT,
    before: Annotated[
        int | None,
        Query(ge=1, le=MAX_RECORD_ID, description="next_before of the previous page; absent for the newest"),
    ] = None,
):
    """The registrant's bank-detail events, newest first: accounts created, updated (each
    changed field before and after), archived and reactivated, and banks created for its items.
    Account numbers show their last four characters only."""
    service.require_registrant(session, registrant_id=registrant_id)
    rows = repository.registrant_events(session, registrant_id=registrant_id, before=before, limit=limit + 1)
    return audit.RegistrantHistoryPage.of([_event(row) for row in rows], limit)


@router.get(
    "/bank_account_events",
    response_model=audit.EventFeedPage,
    responses=_example({"items": [_EVENT_EXAMPLE], "last_id": 4812}),
)
def bank_account_events(
    session: SessionDep,
    limit: PageLimit = audit.DEFAULT_PAGE_LIMIT,
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_RECORD_ID, description="last_id of the previous page; absent for the first"),
    ] = None,
):
    """Every bank-detail event, oldest first, for export to a security system: read on with
    `after` set to the page's `last_id`; an empty page (`last_id` null) means none yet: poll
    again later with the same `after`."""
    rows = repository.events_after(session, after=after, limit=limit)
    return audit.EventFeedPage.of([_event(row) for row in rows])
