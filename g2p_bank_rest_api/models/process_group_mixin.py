"""Bank accounts of the group itself in the registry's processing of POST /group."""

from odoo import models


class ProcessGroupMixin(models.AbstractModel):
    _inherit = "process_group.rest.mixin"

    def _process_group(self, group_info):
        values = super()._process_group(group_info)
        values.update(self._bank_account_values(group_info))
        return values
