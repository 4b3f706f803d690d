"""Who may do what: the scopes of the registry API and what a set of them means for bank details.

Both runtimes decide here: the standalone server gives scopes to users and API keys, the Odoo
addon maps each scope to a group (``SCOPE_GROUPS``). The standalone registry core runs without
this package, so it declares its own two scopes and the checking mechanism itself
(``g2p_registry_server.auth.scopes``: names parsed, stored, required); the bank extension
declares the others from ``BANK_SCOPES``. A test checks that both spell the registry's the same.
"""

import enum
from collections.abc import Iterable


class Scope(enum.StrEnum):
    REGISTRY_READ = "registry:read"
    REGISTRY_WRITE = "registry:write"
    BANK_READ = "bank:read"
    BANK_REVEAL = "bank:reveal"
    BANK_WRITE = "bank:write"
    AUDIT_READ = "audit:read"


DESCRIPTIONS: dict[Scope, str] = {
    Scope.REGISTRY_READ: "the GET routes of individuals and groups, get_individual_ids",
    Scope.REGISTRY_WRITE: "POST /individual, POST /group, PUT /update_individual, bulk onboarding",
    Scope.BANK_READ: "bank_ids in answers and GET of the account sub-resource, account numbers masked",
    Scope.BANK_REVEAL: "full account numbers in answers; the payment list and export",
    Scope.BANK_WRITE: "bank_ids in write requests; POST, PUT and DELETE of the account sub-resource",
    Scope.AUDIT_READ: "bank-detail history and the shared-accounts report",
}

# The scopes the bank package adds to the registry's two.
BANK_SCOPES: tuple[Scope, ...] = (Scope.BANK_READ, Scope.BANK_REVEAL, Scope.BANK_WRITE, Scope.AUDIT_READ)

# In Odoo a scope is a group of the "Registry API" category (security/registry_api_groups.xml).
SCOPE_GROUPS: dict[Scope, str] = {
    Scope.REGISTRY_READ: "g2p_bank_rest_api.group_registry_read",
    Scope.REGISTRY_WRITE: "g2p_bank_rest_api.group_registry_write",
    Scope.BANK_READ: "g2p_bank_rest_api.group_bank_read",
    Scope.BANK_REVEAL: "g2p_bank_rest_api.group_bank_reveal",
    Scope.BANK_WRITE: "g2p_bank_rest_api.group_bank_write",
    Scope.AUDIT_READ: "g2p_bank_rest_api.group_audit_read",
}


# Scopes that bring others (in Odoo, implied groups): full numbers come with seeing the accounts.
IMPLIED_SCOPES: dict[Scope, tuple[Scope, ...]] = {Scope.BANK_REVEAL: (Scope.BANK_READ,)}


class BankVisibility(enum.Enum):
    """What a caller sees of the bank accounts in an answer."""

    HIDDEN = "hidden"  # `bank_ids: null`: not visible (never `[]`, which means "no account")
    MASKED = "masked"  # `acc_number` is "…" and its last four characters, `masked: true`
    REVEALED = "revealed"  # full numbers, `masked: false`: recorded as a `revealed` event


def bank_visibility(scopes: Iterable[str]) -> BankVisibility:
    """Full numbers with bank:reveal (which implies seeing the accounts: in Odoo its group implies
    bank:read's), masked ones with bank:read alone, none without either."""
    held = frozenset(scopes)
    if Scope.BANK_REVEAL in held:
        return BankVisibility.REVEALED
    if Scope.BANK_READ in held:
        return BankVisibility.MASKED
    return BankVisibility.HIDDEN


def carries_bank_details(body: object) -> bool:
    """Whether a write request's body (parsed JSON) sends bank accounts anywhere: a non-empty
    ``bank_ids`` list on the registrant, on a group member, or on any item of a list.

    An absent, ``null`` or empty ``bank_ids`` writes no account, so upstream clients that send
    the key out of habit need no ``bank:write``.
    """
    if isinstance(body, list):
        return any(carries_bank_details(item) for item in body)
    if not isinstance(body, dict):
        return False
    if body.get("bank_ids"):
        return True
    return any(carries_bank_details(value) for key, value in body.items() if isinstance(value, list | dict))
