"""What a caller sees of bank accounts in answers: nothing (`bank_ids: null`), masked numbers, or
full numbers, as the shared rules decide from its scopes (`rules.scopes.bank_visibility`).

Full numbers reach an answer of the registrant routes and of the account sub-resource only
through `reveal`: the one place where the audit trail records that they were shown.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from g2p_bank_server.rules import BankDetailsResponse, BankVisibility, bank_visibility, visible_accounts
from g2p_registry_server.auth.scopes import MissingScope

from . import audit_trail
from .rules.scopes import Scope


def visibility_of(scopes: frozenset[str] | None) -> BankVisibility:
    """None: not an API caller (the command line), which sees everything."""
    return BankVisibility.REVEALED if scopes is None else bank_visibility(scopes)


def shown_accounts(
    session: Session,
    accounts: Mapping[int, list[BankDetailsResponse]],
    registrant_ids: Iterable[int],
    visibility: BankVisibility,
) -> dict[int, list[BankDetailsResponse] | None]:
    """Each registrant's accounts as this caller sees them (`[]`: it holds none)."""
    listed = {registrant_id: accounts.get(registrant_id, []) for registrant_id in registrant_ids}
    if visibility is BankVisibility.REVEALED:
        return dict(reveal(session, listed))
    return {registrant_id: visible_accounts(items, visibility) for registrant_id, items in listed.items()}


def reveal(
    session: Session, accounts: Mapping[int, list[BankDetailsResponse]]
) -> Mapping[int, list[BankDetailsResponse]]:
    """Full account numbers, per registrant, about to be answered to a caller holding
    bank:reveal (or to the command line): the one place they pass, where the audit trail
    records a `revealed` event for each registrant that has any (contract section 6)."""
    revealed = [registrant_id for registrant_id, items in accounts.items() if items]
    if revealed:
        audit_trail.trail_of(session).revealed(revealed)
    return accounts


def require_bank_write(scopes: frozenset[str] | None, *, needed_for: str) -> None:
    if scopes is not None and Scope.BANK_WRITE not in scopes:
        raise MissingScope(Scope.BANK_WRITE, needed_for)
