"""`GET /payment_accounts`: the payment list, page by page (keyset on the registrant id)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from g2p_registry_server.api.authentication import AuthenticatedUser
from g2p_registry_server.api.deps import OneTripRoute, SessionDep, require_scope, scope_answers

from ..audit_trail import RevealedPage, trail_of
from ..rules.payments import CursorText, PageCursor, PaymentAccountsPage, as_utc
from ..rules.scopes import Scope
from .query import payment_accounts
from .schemas import item_of

MAX_PAGE_SIZE = 1000

router = APIRouter(route_class=OneTripRoute, tags=["payment accounts"])


@router.get(
    "/payment_accounts", response_model=PaymentAccountsPage, responses=scope_answers(Scope.BANK_REVEAL)
)
def list_payment_accounts(
    session: SessionDep,
    # Full numbers, page after page: only for callers holding bank:reveal.
    _caller: Annotated[AuthenticatedUser, require_scope(Scope.BANK_REVEAL)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Registrants per page")] = 100,
    cursor: Annotated[
        CursorText | None, Query(description="next_cursor of the previous page; absent for the first")
    ] = None,
    updated_since: Annotated[
        datetime | None,
        Query(description="Only registrants whose data or bank accounts changed at or after this moment"),
    ] = None,
):
    """Every registrant (individual or group) that holds or held a bank account, in id order,
    with its IDs and its primary account: the account payments go to (null when all its
    accounts were archived). Each page is read in one transaction; paging never repeats or skips
    a registrant that existed when paging started."""
    position: PageCursor = cursor or PageCursor(after=0, updated_since=as_utc(updated_since))
    if cursor is not None and updated_since is not None and as_utc(updated_since) != position.updated_since:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "updated_since"),
                    "msg": "updated_since differs from the one the cursor was made with",
                    "type": "value_error",
                }
            ]
        )
    listed = list(
        payment_accounts(
            session.connection(),
            after_id=position.after,
            updated_since=position.updated_since,
            limit=limit + 1,
        )
    )
    page = listed[:limit]
    next_cursor = None
    if len(listed) > limit:
        next_cursor = PageCursor(after=page[-1].registrant_id, updated_since=position.updated_since).encode()
    # This page reveals full numbers: one `revealed` event for it (its count, first and last
    # registrant id; contract section 5).
    revealed = RevealedPage()
    for item in page:
        if item.account is not None:
            revealed.add(item.registrant_id)
    trail_of(session).page_revealed(revealed)
    return PaymentAccountsPage(items=[item_of(item) for item in page], next_cursor=next_cursor)
