"""``bank_ids`` on group members in POST /group (members answer as individuals already)."""

from pydantic import Field

from odoo.addons.g2p_registry_rest_api.schemas.group_membership import GroupMembersInfoRequest

from ..rules import BankAccountItems


class BankGroupMembersInfoRequest(GroupMembersInfoRequest, extends=GroupMembersInfoRequest):
    bank_ids: BankAccountItems | None = Field(
        default=None, description="Bank accounts of the member, created with it."
    )
