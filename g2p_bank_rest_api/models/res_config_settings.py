"""The shared-account policy in the Registry settings (contract section 7)."""

from odoo import fields, models

from ..rules.shared_accounts import DEFAULT_POLICY
from ..shared_account_policy import POLICY_PARAMETER

POLICIES = [
    ("allow", "Allow: accept, do not mark"),
    ("flag", "Flag: accept, mark the accounts as shared"),
    ("block_outside_group", "Block outside the group: accept only between members of one group"),
    ("block", "Block: refuse a number another registrant holds"),
]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    g2p_shared_account_policy = fields.Selection(
        POLICIES,
        string="Shared bank accounts",
        default=DEFAULT_POLICY.value,
        required=True,
        config_parameter=POLICY_PARAMETER,
        help="What the registry API does when a registrant is given an account number that another "
        "active registrant holds.",
    )
