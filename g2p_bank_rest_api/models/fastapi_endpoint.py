"""Adds the bank-account sub-resource to the registry app."""

from odoo import models

from ..routers import bank_account_router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _get_fastapi_routers(self):
        routers = super()._get_fastapi_routers()
        if self.app == "registry":
            routers.append(bank_account_router)
        return routers
