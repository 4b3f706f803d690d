"""``bank_ids`` on group members in POST /group (members answer as individuals already)."""

from pydantic import Field, model_validator

from odoo.addons.g2p_registry_rest_api.schemas.group_membership import GroupMembersInfoRequest

from ..rules import BankAccountItems, masking_account_numbers


class BankGroupMembersInfoRequest(GroupMembersInfoRequest, extends=GroupMembersInfoRequest):
    bank_ids: BankAccountItems | None = Field(
        default=None,
        description="Bank accounts of the member, created with it. A list needs scope bank:write.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _mask_account_numbers_in_errors(cls, value, handler):
        return masking_account_numbers(value, handler)
