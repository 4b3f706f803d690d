"""`GET /payment_accounts`: the payment list, page by page (keyset on the registrant id).

Same parameters, answer and cursor as the standalone server; the query lives in
`g2p.payment.account.list`.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError

from odoo.api import Environment

from odoo.addons.fastapi.dependencies import authenticated_partner_env

from .. import audit_trail
from ..rules.payments import CursorText, PageCursor, PaymentAccountsPage, as_utc
from ..rules.scopes import Scope
from ..scope_checks import requires_scope

MAX_PAGE_SIZE = 1000

payment_accounts_router = APIRouter(tags=["payment accounts"])


@payment_accounts_router.get(
    "/payment_accounts",
    response_model=PaymentAccountsPage,
    dependencies=[Depends(requires_scope(Scope.BANK_REVEAL))],
)
def list_payment_accounts(
    env: Annotated[Environment, Depends(authenticated_partner_env)],
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
    accounts were archived). Each page is read in one statement; paging never repeats or skips
    a registrant that existed when paging started. Full account numbers: needs scope bank:reveal."""
    since = as_utc(updated_since)
    position = cursor or PageCursor(after=0, updated_since=since)
    if cursor is not None and updated_since is not None and since != position.updated_since:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "updated_since"),
                    "msg": "updated_since differs from the one the cursor was made with",
                    "type": "value_error",
                }
            ]
        )
    listed = env["g2p.payment.account.list"].sudo().page(position.after, position.updated_since, limit + 1)
    page = listed[:limit]
    next_cursor = None
    if len(listed) > limit:
        last = page[-1]["registrant_id"]
        next_cursor = PageCursor(after=last, updated_since=position.updated_since).encode()
    # The page carries full numbers: one revealed event for it (contract section 5).
    audit_trail.record_revealed_page(env, [item["registrant_id"] for item in page if item["account"]])
    return {"items": page, "next_cursor": next_cursor}
