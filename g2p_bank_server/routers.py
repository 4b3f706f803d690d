"""The bank-account sub-resource of a registrant (individual or group), for payment integrations.

Unlike the upstream routes these use HTTP semantics: 404 for an unknown registrant or account,
201 when POST creates an account and 200 when it updates one, 204 when DELETE archives one.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status
from sqlalchemy.orm import Session

from g2p_bank_server.rules import BankAccountItems, BankDetailsRequest, BankDetailsResponse, BankVisibility
from g2p_registry_server.api.authentication import AuthenticatedUser
from g2p_registry_server.api.deps import OneTripRoute, SessionDep, require_scope, scope_answers

from . import service
from .rules.scopes import Scope
from .visibility import shown_accounts, visibility_of

ACCOUNTS_PATH = "/registrant/{registrant_id}/bank_accounts"

RegistrantIdPath = Annotated[int, Path(description="ID of the registrant (individual or group)")]
AccountIdPath = Annotated[int, Path(description="ID of one of the registrant's bank accounts")]

router = APIRouter(route_class=OneTripRoute, tags=["bank accounts"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such registrant, or no such account of this registrant"}
}
BankReader = Annotated[AuthenticatedUser, require_scope(Scope.BANK_READ)]
BankWriter = Annotated[AuthenticatedUser, require_scope(Scope.BANK_WRITE)]
_READ_ANSWERS = {**_NOT_FOUND, **scope_answers(Scope.BANK_READ)}
_WRITE_ANSWERS = {**_NOT_FOUND, **scope_answers(Scope.BANK_WRITE)}


def _as_seen(
    session: Session, caller: AuthenticatedUser, registrant_id: int, accounts: list[BankDetailsResponse]
) -> list[BankDetailsResponse]:
    """The accounts as the caller sees them: full numbers with bank:reveal, else masked (a
    writer without bank:read still sees the accounts it wrote, masked)."""
    visibility = visibility_of(caller.scopes)
    if visibility is BankVisibility.HIDDEN:
        visibility = BankVisibility.MASKED
    return (
        shown_accounts(session, {registrant_id: accounts}, [registrant_id], visibility)[registrant_id] or []
    )


@router.get(ACCOUNTS_PATH, response_model=list[BankDetailsResponse], responses=_READ_ANSWERS)
def list_bank_accounts(registrant_id: RegistrantIdPath, session: SessionDep, caller: BankReader):
    """The registrant's active bank accounts, primary first (numbers masked unless the caller
    holds bank:reveal)"""
    service.require_registrant(session, registrant_id=registrant_id)
    return _as_seen(
        session, caller, registrant_id, service.registrant_accounts(session, registrant_id=registrant_id)
    )


@router.post(
    ACCOUNTS_PATH,
    response_model=BankDetailsResponse,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "The account existed and was updated", "model": BankDetailsResponse},
        **_WRITE_ANSWERS,
    },
)
def add_bank_account(
    registrant_id: RegistrantIdPath,
    item: Annotated[BankDetailsRequest, Body()],
    session: SessionDep,
    response: Response,
    caller: BankWriter,
):
    """Add one bank account, or update the account with the same number (without spaces or
    punctuation, upper-cased); an archived one is reactivated"""
    account, created = service.add_account(session, registrant_id=registrant_id, item=item)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _as_seen(session, caller, registrant_id, [account])[0]


@router.put(ACCOUNTS_PATH, response_model=list[BankDetailsResponse], responses=_WRITE_ANSWERS)
def replace_bank_accounts(
    registrant_id: RegistrantIdPath,
    items: Annotated[BankAccountItems, Body()],
    session: SessionDep,
    caller: BankWriter,
):
    """Make the registrant's active accounts exactly this list: listed items are merged, unlisted
    accounts are archived"""
    return _as_seen(
        session,
        caller,
        registrant_id,
        service.replace_accounts(session, registrant_id=registrant_id, items=items),
    )


@router.delete(
    ACCOUNTS_PATH + "/{account_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_WRITE_ANSWERS
)
def archive_bank_account(
    registrant_id: RegistrantIdPath, account_id: AccountIdPath, session: SessionDep, caller: BankWriter
):
    """Archive one account: it is kept for audit and no longer listed"""
    service.archive_account(session, registrant_id=registrant_id, account_id=account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
