"""How much of a registrant's bank accounts an answer shows, decided from the caller's scopes
(contract section 5), and the accounts as such an answer carries them.

- without ``bank:read``: nothing, ``bank_ids`` is ``null`` (not visible; ``[]`` means "no account");
- with ``bank:read``: the accounts, each number ``"…"`` plus its last four characters
  (``mask_account_number``, the one masking rule), ``"masked": true``;
- with ``bank:reveal``: full numbers, ``"masked": false``. Revealing a number includes seeing it,
  so ``bank:reveal`` alone shows full numbers too.
"""

from collections.abc import Collection, Iterable, Mapping
from enum import IntEnum
from typing import Any

from .account_number import mask_account_number

BANK_READ = "bank:read"
BANK_REVEAL = "bank:reveal"


class AccountVisibility(IntEnum):
    """Ordered: a larger value shows more."""

    HIDDEN = 0
    """``bank_ids: null``."""
    MASKED = 1
    """Accounts listed, numbers masked."""
    FULL = 2
    """Accounts listed with their full numbers."""


def account_visibility(scopes: Collection[str]) -> AccountVisibility:
    """What a caller holding ``scopes`` sees of bank accounts in answers."""
    if BANK_REVEAL in scopes:
        return AccountVisibility.FULL
    if BANK_READ in scopes:
        return AccountVisibility.MASKED
    return AccountVisibility.HIDDEN


def shown_account(account: Mapping[str, Any], visibility: AccountVisibility) -> dict[str, Any]:
    """An account answer (``acc_number`` in full) as a caller with ``visibility`` sees it.

    Only for MASKED and FULL: a hidden account is not shown at all.
    """
    if visibility is AccountVisibility.HIDDEN:
        raise ValueError("a hidden account is not shown: the answer carries bank_ids null")
    masked = visibility is AccountVisibility.MASKED
    number = account["acc_number"]
    return {**account, "acc_number": mask_account_number(number) if masked else number, "masked": masked}


def shown_accounts(
    accounts: Iterable[Mapping[str, Any]], visibility: AccountVisibility
) -> list[dict[str, Any]] | None:
    """A registrant's ``bank_ids`` as a caller with ``visibility`` sees them: None when hidden."""
    if visibility is AccountVisibility.HIDDEN:
        return None
    return [shown_account(account, visibility) for account in accounts]


def written_accounts_visibility(visibility: AccountVisibility) -> AccountVisibility:
    """What the answer to a write of the account sub-resource (POST, PUT) shows: at least masked
    numbers, since that answer cannot be null and the caller sent those accounts itself."""
    return max(visibility, AccountVisibility.MASKED)
