"""The scopes of the registry API (contract section 5), as Odoo groups of the authenticated user.

Each scope is one group of the "Registry API" category (``security/registry_api_groups.xml``);
Settings administrators hold them all. A route that needs a scope depends on
``require_scope(name)``: a caller without its group gets 403 naming the missing scope, before
the route runs (so nothing is written).
"""

from typing import Annotated

from fastapi import Depends, HTTPException, status

from odoo.addons.base.models.res_partner import Partner
from odoo.addons.fastapi.dependencies import authenticated_partner_impl

REGISTRY_READ = "registry:read"
REGISTRY_WRITE = "registry:write"
BANK_READ = "bank:read"
BANK_REVEAL = "bank:reveal"
BANK_WRITE = "bank:write"
AUDIT_READ = "audit:read"

SCOPE_GROUPS = {
    REGISTRY_READ: "g2p_bank_rest_api.group_registry_read",
    REGISTRY_WRITE: "g2p_bank_rest_api.group_registry_write",
    BANK_READ: "g2p_bank_rest_api.group_bank_read",
    BANK_REVEAL: "g2p_bank_rest_api.group_bank_reveal",
    BANK_WRITE: "g2p_bank_rest_api.group_bank_write",
    AUDIT_READ: "g2p_bank_rest_api.group_audit_read",
}
"""The group (xml id) of each scope."""


def holds_scope(partner, scope, groups=None):
    """Whether the user of ``partner`` (the authenticated caller) holds ``scope``."""
    xmlid = (groups or SCOPE_GROUPS)[scope]
    users = partner.sudo().with_context(active_test=True).user_ids
    return any(user.has_group(xmlid) for user in users)


def require_scope(scope, groups=None):
    """A dependency refusing (403) callers without ``scope`` (``groups``: scope -> group xml id)."""

    def _caller_holds_scope(partner: Annotated[Partner, Depends(authenticated_partner_impl)]) -> None:
        if not holds_scope(partner, scope, groups):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"This route needs the scope {scope}, which the caller does not hold.",
            )

    _caller_holds_scope.__name__ = f"requires_{scope.replace(':', '_')}"
    return Depends(_caller_holds_scope)
