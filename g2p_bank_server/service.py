"""Bank-details use cases: find or create banks, link accounts to registrants, read them back.

Services never commit: the request's session commits once the whole request succeeded, so a
request that fails anywhere writes nothing.

Bank identity: an item with a BIC names the bank with that BIC (created with the item's name if
no bank has it; an existing bank keeps its name). An item without a BIC names a bank by its
name key (bank_name_key: trimmed, inner white space collapsed, case ignored): the oldest bank
with that key, with or without a BIC, else a new BIC-less bank. The oldest wins so that a name
keeps naming the same bank for good, as in the Odoo addon. A BIC never attaches itself to a
BIC-less bank found by name: the name alone does not say which institution or branch the
BIC-less bank meant, so an unknown BIC makes a bank of its own, even if its name is taken.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from g2p_bank_server.rules import (
    AccountChange,
    BankDetailsRequest,
    BankDetailsResponse,
    BankKey,
    ExistingAccount,
    bank_name_key,
    clean_bank_name,
    mask_account_number,
    plan_accounts,
)
from g2p_registry_server.db import utc_now
from g2p_registry_server.errors import NotFound

from . import audit_trail, repository
from .models import BankAccount
from .shared import policy as shared_policy

_logger = logging.getLogger(__name__)


class BankDirectory:
    """The banks a request names, found or created in bulk and remembered for the whole request.

    One query finds every bank the given items name; the missing ones are inserted in one
    statement that skips banks a concurrent transaction inserted first, then read back.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        # Rows of (id, name, name_key, bic): what requests need of a bank, without ORM objects.
        self._banks: dict[BankKey, Row] = {}

    def resolve(self, items: Iterable[BankDetailsRequest]) -> None:
        names: dict[BankKey, str] = {}
        for item in items:
            key = item.bank_key
            if key not in self._banks:
                names.setdefault(key, clean_bank_name(item.bank_name))
        if not names:
            return
        self._remember(names)
        missing = sorted(key for key in names if key not in self._banks)
        if not missing:
            return
        created = repository.insert_banks_if_absent(
            self.session, [_bank_row(key, names[key]) for key in missing]
        )
        audit_trail.trail_of(self.session).banks_created(created)
        self._remember({key: names[key] for key in missing})
        unresolved = [key for key in missing if key not in self._banks]
        if unresolved:
            # Only possible if the constraints and the lookup disagree: a defect, not bad input.
            raise RuntimeError(f"banks neither found nor created: {unresolved}")

    def _remember(self, names: dict[BankKey, str]) -> None:
        bics = {key.value for key in names if key.kind == "bic"}
        name_keys = {key.value for key in names if key.kind == "name"}
        # Banks come oldest first: the first one with a name key is the one that name names.
        found = repository.find_banks(self.session, bics=bics, name_keys=name_keys)
        audit_trail.trail_of(self.session).know_banks(found)
        for bank in found:
            if bank.bic in bics:
                self._banks[BankKey("bic", bank.bic)] = bank
            if bank.name_key in name_keys:
                self._banks.setdefault(BankKey("name", bank.name_key), bank)

    def bank_for(self, item: BankDetailsRequest) -> Row:
        return self._banks[item.bank_key]


def _bank_row(key: BankKey, name: str) -> dict:
    return {"name": name, "name_key": bank_name_key(name), "bic": key.value if key.kind == "bic" else None}


@dataclass(frozen=True)
class LinkedAccount:
    """An account a merge updated or added: its ORM object, or, for an account inserted in
    bulk without one, its id."""

    account: BankAccount | None
    created: bool
    inserted_id: int | None = None

    @property
    def account_id(self) -> int:
        return self.account.id if self.account is not None else self.inserted_id  # type: ignore[return-value]


def require_registrant(session: Session, *, registrant_id: int, lock: bool = False) -> None:
    """404 unless the registrant exists; ``lock`` serializes writes to its accounts."""
    if not repository.registrant_exists(session, registrant_id, lock=lock):
        raise NotFound(f"Registrant {registrant_id} not found.")


def link_accounts(
    session: Session,
    *,
    registrant_id: int,
    items: Sequence[BankDetailsRequest],
    banks: BankDirectory,
    replace: bool = False,
    new_registrant: bool = False,
) -> list[LinkedAccount]:
    """Merge ``items`` into the registrant's accounts (``replace``: and archive unlisted ones).

    The caller holds the registrant's lock, or has just created the registrant
    (``new_registrant``: it has no accounts yet, so there is nothing to read). The answer lists
    the accounts updated, and the new ones with the ids the INSERT returned. The transaction's
    audit trail is told the accounts before and after.
    """
    if not items and not replace:
        return []  # an empty merge changes nothing
    existing = () if new_registrant else repository.accounts_of(session, registrant_id)
    trail = audit_trail.trail_of(session)
    trail.touch(registrant_id, existing)
    banks.resolve(items)
    new_rows: list[dict[str, Any]] = []
    linked = merge_accounts(
        session,
        registrant_id=registrant_id,
        existing=existing,
        items=items,
        banks=banks,
        replace=replace,
        new_rows=new_rows,
    )
    # One INSERT for all new accounts: ORM objects would be inserted one statement each on
    # SQLite, so a request's statements would grow with its number of accounts.
    now = utc_now()
    dated = [row | {"create_date": now, "write_date": now} for row in new_rows]
    new_ids = repository.insert_accounts_returning_ids(session, dated)
    inserted = [
        audit_trail.AccountSnapshot(
            id=new_ids[row["normalized_number"]],
            acc_number=row["acc_number"],
            bank_id=row["bank_id"],
            acc_holder_name=row["acc_holder_name"],
            sequence=row["sequence"],
            active=True,
        )
        for row in new_rows
    ]
    trail.changed(registrant_id, [*existing, *inserted])
    linked += [LinkedAccount(None, created=True, inserted_id=account.id) for account in inserted]
    session.flush()
    return linked


def new_account_values(*, registrant_id: int, change: AccountChange, bank_id: int) -> dict[str, Any]:
    """The columns of the new account a change adds (as an ORM object or a row of a bulk
    insert): what the plan writes, and the columns only this runtime keeps."""
    return {
        "registrant_id": registrant_id,
        "normalized_number": change.item.normalized_number,
        **change.written(bank_id),
    }


def merge_accounts(
    session: Session,
    *,
    registrant_id: int,
    existing: Sequence[BankAccount],
    items: Sequence[BankDetailsRequest],
    banks: BankDirectory,
    replace: bool = False,
    new_rows: list[dict[str, Any]] | None = None,
) -> list[LinkedAccount]:
    """The merge of ``link_accounts`` on accounts the caller loaded (``existing``: all of the
    registrant's, archived included), with the items' banks resolved already. It neither
    queries nor flushes, so that a bulk import merges a whole batch and flushes once.

    New accounts are added to the session, or, when ``new_rows`` is given, appended to it as
    column values for the caller to insert (and left out of the answer)."""
    plan = plan_accounts(
        [ExistingAccount(a.id, a.normalized_number, a.active, a.sequence) for a in existing],
        items,
        replace=replace,
    )
    by_id = {account.id: account for account in existing}
    linked = []
    for change in plan.changes:
        item = change.item
        bank = banks.bank_for(item)
        if change.account_id is None:
            values = new_account_values(registrant_id=registrant_id, change=change, bank_id=bank.id)
            if new_rows is not None:
                new_rows.append(values)
            else:
                account = BankAccount(**values)
                repository.add_account(session, account)
                linked.append(LinkedAccount(account, created=True))
            _log_change("added", registrant_id, item.normalized_number)
            continue
        account = by_id[change.account_id]
        for name, value in change.written(bank.id).items():
            setattr(account, name, value)
        if change.reactivate:
            _log_change("reactivated", registrant_id, item.normalized_number)
        linked.append(LinkedAccount(account, created=False))
    for account_id in plan.archive_ids:
        by_id[account_id].active = False
        _log_change("archived", registrant_id, by_id[account_id].normalized_number)
    return linked


def _log_change(what: str, registrant_id: int, normalized_number: str) -> None:
    # DEBUG: the change is only planned here; the request may still fail and roll it back.
    if not _logger.isEnabledFor(logging.DEBUG):
        # Not even masked then: a bulk import plans hundreds of thousands of accounts.
        return
    _logger.debug(
        "bank account %s %s for registrant %s", mask_account_number(normalized_number), what, registrant_id
    )


def active_accounts(
    session: Session, *, registrant_ids: Iterable[int]
) -> dict[int, list[BankDetailsResponse]]:
    """The active accounts of each registrant as answers show them, primary first (one query),
    each marked ``shared`` when another active registrant holds its number (unless the policy
    is ``allow``)."""
    answers: dict[int, list[BankDetailsResponse]] = {}
    marked = shared_policy.marks_shared(shared_policy.policy_of(session))
    for account in repository.active_accounts_of(session, registrant_ids, marked=marked):
        listed = answers.setdefault(account.registrant_id, [])
        listed.append(
            BankDetailsResponse(
                id=account.id,
                bank_name=account.bank_name,
                bic=account.bic,
                acc_number=account.acc_number,
                acc_holder_name=account.acc_holder_name,
                primary=not listed,
                shared=marked and account.shared,
            )
        )
    return answers


def registrant_accounts(session: Session, *, registrant_id: int) -> list[BankDetailsResponse]:
    return active_accounts(session, registrant_ids=[registrant_id]).get(registrant_id, [])


def add_account(
    session: Session, *, registrant_id: int, item: BankDetailsRequest
) -> tuple[BankDetailsResponse, bool]:
    """Merge one item into the registrant's accounts: the account as answered, and whether it is new."""
    require_registrant(session, registrant_id=registrant_id, lock=True)
    shared_policy.check(session, [shared_policy.Claim(registrant_id, [item], [("body", "acc_number")])])
    [linked] = link_accounts(session, registrant_id=registrant_id, items=[item], banks=BankDirectory(session))
    answer = next(
        a for a in registrant_accounts(session, registrant_id=registrant_id) if a.id == linked.account_id
    )
    return answer, linked.created


def replace_accounts(
    session: Session, *, registrant_id: int, items: Sequence[BankDetailsRequest]
) -> list[BankDetailsResponse]:
    """Make the registrant's active accounts exactly ``items``; the others are archived."""
    require_registrant(session, registrant_id=registrant_id, lock=True)
    shared_policy.check(
        session,
        [shared_policy.Claim(registrant_id, items, shared_policy.item_locations(("body",), len(items)))],
    )
    link_accounts(
        session, registrant_id=registrant_id, items=items, banks=BankDirectory(session), replace=True
    )
    return registrant_accounts(session, registrant_id=registrant_id)


def archive_account(session: Session, *, registrant_id: int, account_id: int) -> None:
    """Archive one account of the registrant; archiving an archived account changes nothing."""
    require_registrant(session, registrant_id=registrant_id, lock=True)
    accounts = repository.accounts_of(session, registrant_id)
    account = next((a for a in accounts if a.id == account_id), None)
    if account is None:
        raise NotFound(f"Bank account {account_id} of registrant {registrant_id} not found.")
    if account.active:
        trail = audit_trail.trail_of(session)
        trail.touch(registrant_id, accounts)
        account.active = False
        trail.changed(registrant_id, accounts)
        session.flush()
        _log_change("archived", registrant_id, account.normalized_number)
