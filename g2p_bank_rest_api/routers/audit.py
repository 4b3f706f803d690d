"""The audit trail of bank details and the shared-accounts report (contract sections 6 and 7).

`GET /registrant/{id}/bank_accounts/history` (newest first, `before` cursor),
`GET /bank_account_events` (every event, oldest first, `after` cursor, for a security system)
and `GET /bank_accounts/shared` (numbers held by several active registrants). All three need
the scope `audit:read`.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from odoo.api import Environment

from odoo.addons.fastapi.dependencies import authenticated_partner_env

from .. import shared_account_policy
from ..rules.audit import (
    DEFAULT_PAGE_LIMIT,
    HISTORY_PAGE_LIMIT,
    EventFeedPage,
    RegistrantHistoryPage,
    masked_number,
)
from ..rules.scopes import Scope
from ..rules.shared_accounts import SharedAccount, SharedAccountsPage, every_pair_shares_a_group
from ..scope_checks import requires_scope
from .bank_account import MAX_ID, RegistrantDep

audit_router = APIRouter(tags=["audit"], dependencies=[Depends(requires_scope(Scope.AUDIT_READ))])

Limit = Annotated[int, Query(ge=1, le=HISTORY_PAGE_LIMIT, description="Events per page")]


def event_model(env: Annotated[Environment, Depends(authenticated_partner_env)]):
    # Events are read as superuser once the scope is checked, like the registry reads registrants.
    return env["g2p.bank.account.event"].sudo()


EventsDep = Annotated[object, Depends(event_model)]


@audit_router.get(
    "/registrant/{registrant_id}/bank_accounts/history",
    response_model=RegistrantHistoryPage,
    responses={404: {"description": "Unknown registrant"}},
)
def registrant_history(
    registrant: RegistrantDep,
    events: EventsDep,
    before: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="next_before of the previous page; absent for the first"),
    ] = None,
    limit: Limit = DEFAULT_PAGE_LIMIT,
):
    """The registrant's bank-detail events, newest first."""
    domain = [("registrant_id", "=", registrant.id)]
    if before is not None:
        domain.append(("id", "<", before))
    listed = events.search(domain, order="id desc", limit=limit + 1).as_answer()
    return RegistrantHistoryPage.of(listed, limit)


@audit_router.get("/bank_account_events", response_model=EventFeedPage)
def event_feed(
    events: EventsDep,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="last_id of the previous page; absent for the first")
    ] = None,
    limit: Limit = DEFAULT_PAGE_LIMIT,
):
    """Every bank-detail event, oldest first: read on with `after` = `last_id`."""
    domain = [("id", ">", after)] if after is not None else []
    listed = events.search(domain, order="id", limit=limit).as_answer()
    return EventFeedPage.of(listed)


@audit_router.get("/bank_accounts/shared", response_model=SharedAccountsPage)
def shared_accounts(
    events: EventsDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="next_after of the previous page; 0 for the first")
    ] = 0,
    limit: Limit = DEFAULT_PAGE_LIMIT,
):
    """Account numbers held (active) by more than one active registrant, masked, with their
    holders; ordered by the lowest id of their active accounts."""
    env = events.env
    env["res.partner.bank"].flush_model(["sanitized_acc_number", "active", "partner_id"])
    rows = shared_account_policy.shared_accounts_page(env.cr, after, limit + 1)
    page = rows[:limit]
    related = shared_account_policy.groups_of(env.cr, {holder for row in page for holder in row[2]})
    items = [
        SharedAccount(
            key=key,
            acc_number=masked_number(number) or "",
            registrant_ids=holders,
            share_group=every_pair_shares_a_group(
                holders, lambda first, second: shared_account_policy.share_a_group(related, first, second)
            ),
        )
        for key, number, holders in page
    ]
    return SharedAccountsPage.of(items, more=len(rows) > limit)
