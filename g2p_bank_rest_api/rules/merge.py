"""How a list of request items merges into the accounts a registrant already holds.

Both runtimes ask this module what to do and then do it with their own storage, so that
"the same update twice equals once", reactivation of archived accounts, and the primary
account come out the same in Odoo and in the standalone server.

The primary account is the registrant's first account in (sequence, id) order, which is
Odoo's ``res.partner.bank`` order and the one OpenG2P's payment managers read.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .items import BankDetailsRequest

DEFAULT_SEQUENCE = 10


@dataclass(frozen=True)
class ExistingAccount:
    """What the plan needs to know of an account the registrant holds, archived ones included."""

    id: int
    normalized_number: str
    active: bool
    sequence: int


@dataclass(frozen=True)
class AccountChange:
    """One item of the request: create an account (``account_id`` None) or update one."""

    item: BankDetailsRequest
    account_id: int | None
    reactivate: bool
    sequence: int | None
    """A new sequence for the account, set only when the item makes it the primary one."""
    sets_holder_name: bool
    """Whether the account's holder name becomes the item's. A merged item whose holder name is
    absent or null keeps the stored one; a new account, and every item of a replacing list (which
    states the whole list), store exactly what was sent (null clears)."""

    def written(self, bank_id: int) -> dict[str, Any]:
        """The fields the change writes and their values, named as both runtimes' account
        tables name them (None: no value). Both runtimes write exactly these, and a change
        that finds every one of them already stored changes nothing.

        The number is written only to a new account: a held one keeps the form it was first
        stored in (its identity is the normalized number)."""
        values: dict[str, Any] = {"bank_id": bank_id}
        if self.sets_holder_name:
            values["acc_holder_name"] = self.item.acc_holder_name
        if self.account_id is None:
            values |= {"acc_number": self.item.acc_number, "sequence": DEFAULT_SEQUENCE, "active": True}
        elif self.reactivate:
            values["active"] = True
        if self.sequence is not None:
            values["sequence"] = self.sequence
        return values


@dataclass(frozen=True)
class AccountPlan:
    changes: tuple[AccountChange, ...]
    archive_ids: tuple[int, ...]


def plan_accounts(
    existing: Sequence[ExistingAccount],
    items: Sequence[BankDetailsRequest],
    *,
    replace: bool = False,
) -> AccountPlan:
    """Plan the writes that make ``items`` hold for a registrant.

    Items are merged: a number the registrant already holds (active or archived) updates that
    account, a new number adds one. With ``replace``, active accounts absent from ``items`` are
    archived, so the list becomes exactly the registrant's active accounts.
    """
    by_number = {account.normalized_number: account for account in existing}
    # Each item's number normalized once: the plan looks at it several times.
    numbers = [item.normalized_number for item in items]
    listed_numbers = set(numbers)
    archive_ids = tuple(
        account.id
        for account in existing
        if replace and account.active and account.normalized_number not in listed_numbers
    )
    primary_sequence = _sequence_before_others(existing, items, numbers, listed_numbers, archive_ids)
    changes = []
    for item, number in zip(items, numbers, strict=True):
        account = by_number.get(number)
        changes.append(
            AccountChange(
                item=item,
                account_id=account.id if account else None,
                reactivate=bool(account and not account.active),
                sequence=primary_sequence if item.primary else None,
                sets_holder_name=account is None or replace or item.acc_holder_name is not None,
            )
        )
    return AccountPlan(changes=tuple(changes), archive_ids=archive_ids)


def _sequence_before_others(
    existing: Sequence[ExistingAccount],
    items: Sequence[BankDetailsRequest],
    numbers: Sequence[str],
    listed_numbers: set[str],
    archive_ids: tuple[int, ...],
) -> int:
    """A sequence that puts the primary item before every other account that stays active."""
    if not existing:
        return DEFAULT_SEQUENCE - 1
    primary_numbers = {number for item, number in zip(items, numbers, strict=True) if item.primary}
    others = [
        account.sequence
        for account in existing
        if account.id not in archive_ids
        and account.normalized_number not in primary_numbers
        and (account.active or account.normalized_number in listed_numbers)
    ]
    return min([DEFAULT_SEQUENCE, *others]) - 1
