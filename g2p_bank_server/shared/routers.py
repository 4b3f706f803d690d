"""`GET /bank_accounts/shared`: the account numbers held by more than one active registrant,
for auditors (ghost or duplicate beneficiaries), keyset-paged."""

from typing import Annotated

from fastapi import APIRouter, Query

from g2p_bank_server.rules.scopes import Scope
from g2p_bank_server.rules.shared_accounts import SharedAccountsPage
from g2p_registry_server.api.deps import OneTripRoute, SessionDep, require_scope, scope_answers

from .report import DEFAULT_LIMIT, MAX_LIMIT, shared_accounts_page

# Account ids are 32-bit integers.
MAX_KEY = 2**31 - 1

# Every route of this module needs audit:read (contract sections 6 and 7).
router = APIRouter(
    route_class=OneTripRoute,
    tags=["bank accounts"],
    dependencies=[require_scope(Scope.AUDIT_READ)],
    responses=scope_answers(Scope.AUDIT_READ),
)


@router.get("/bank_accounts/shared", response_model=SharedAccountsPage)
def list_shared_accounts(
    session: SessionDep,
    after: Annotated[
        int,
        Query(
            ge=0, le=MAX_KEY, description="The `next_after` of the previous page; 0 or absent for the first"
        ),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Numbers per page")] = DEFAULT_LIMIT,
):
    """Account numbers held (active) by more than one active registrant, masked to their last four
    characters, with their holders' ids and whether every holder shares a group with every other
    (a household's account), ordered by the lowest id of each number's active accounts"""
    return shared_accounts_page(session, after=after, limit=limit)
