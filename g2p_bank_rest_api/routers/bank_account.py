"""The account sub-resource: a registrant's bank accounts, for payment integrations.

Unlike the registry's own routes, these use HTTP semantics: 404 for an unknown registrant or
account, 422 for invalid items, 201 when an account is created, 204 when one is archived.
Handlers stay thin: the use cases live in ``g2p.bank.account.service``.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Response, status

from odoo.api import Environment

from odoo.addons.base.models.res_partner import Partner
from odoo.addons.fastapi.dependencies import authenticated_partner_env

from ..rules import BankAccountItems, BankDetailsRequest, BankDetailsResponse, BankVisibility
from ..rules.scopes import Scope
from ..scope_checks import requires_scope
from ..shared_account_policy import AccountHeldElsewhere, refusal_error

bank_account_router = APIRouter(prefix="/registrant/{registrant_id}/bank_accounts", tags=["bank accounts"])


def bank_account_service(env: Annotated[Environment, Depends(authenticated_partner_env)]):
    # The registry's routes read and write registrants as superuser; so do these.
    return env["g2p.bank.account.service"].sudo()


ServiceDep = Annotated[object, Depends(bank_account_service)]

# Odoo's ids are PostgreSQL integers: a larger number would reach the database and fail there.
MAX_ID = 2**31 - 1


def registrant_from_path(
    registrant_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Id of an individual or a group")],
    service: ServiceDep,
) -> Partner:
    registrant = service.find_registrant(registrant_id)
    if not registrant:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Registrant {registrant_id} not found.")
    return registrant


RegistrantDep = Annotated[Partner, Depends(registrant_from_path)]


def _written(service):
    # A write's answer cannot be null: a writer without bank:read sees what it wrote, masked
    # (as in the standalone server).
    visibility = service.caller_visibility()
    return BankVisibility.MASKED if visibility is BankVisibility.HIDDEN else visibility


_NOT_FOUND = {status.HTTP_404_NOT_FOUND: {"description": "Unknown registrant or account"}}
_READS = [Depends(requires_scope(Scope.BANK_READ))]
_WRITES = [Depends(requires_scope(Scope.BANK_WRITE))]


@bank_account_router.get("", responses=_NOT_FOUND, dependencies=_READS)
def list_bank_accounts(registrant: RegistrantDep, service: ServiceDep) -> list[BankDetailsResponse]:
    """The registrant's active bank accounts, primary (the one payments go to) first; numbers
    masked without scope bank:reveal."""
    return service.answers(service.active_accounts(registrant))


@bank_account_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        **_NOT_FOUND,
        status.HTTP_200_OK: {"model": BankDetailsResponse, "description": "The account existed: updated"},
    },
    dependencies=_WRITES,
)
def add_bank_account(
    item: BankDetailsRequest, registrant: RegistrantDep, service: ServiceDep, response: Response
) -> BankDetailsResponse:
    """Add an account, or update the one the registrant holds with the same normalized number."""
    try:
        account, created = service.add_account(registrant, item)
    except AccountHeldElsewhere as refusal:
        raise refusal_error(refusal, prefix=("body",), single=True) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    accounts = service.answers(service.active_accounts(registrant), _written(service))
    (answer,) = (answer for answer in accounts if answer.id == account.id)
    return answer


@bank_account_router.put("", responses=_NOT_FOUND, dependencies=_WRITES)
def replace_bank_accounts(
    items: Annotated[BankAccountItems, Body()], registrant: RegistrantDep, service: ServiceDep
) -> list[BankDetailsResponse]:
    """Make the registrant's active accounts exactly these: listed ones are merged, others archived."""
    try:
        return service.answers(service.replace_accounts(registrant, items), _written(service))
    except AccountHeldElsewhere as refusal:
        raise refusal_error(refusal, prefix=("body",)) from None


@bank_account_router.delete(
    "/{account_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_NOT_FOUND,
    dependencies=_WRITES,
)
def archive_bank_account(
    account_id: Annotated[int, Path(ge=1, le=MAX_ID)], registrant: RegistrantDep, service: ServiceDep
) -> None:
    """Archive the account: it is kept for audit and no longer listed."""
    if not service.archive_account(registrant, account_id):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Registrant {registrant.id} has no active bank account {account_id}."
        )
