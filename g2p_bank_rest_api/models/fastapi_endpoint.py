"""Adds the bank-account sub-resource, bulk onboarding, the payment list and the audit routes to
the registry app, lets it accept API keys (see ``dependencies``), makes each request look up
the banks it names at once (see ``request_banks``) and gives every answer its request id (see
``request_id``)."""

from starlette.middleware import Middleware

from odoo import models

from odoo.addons.fastapi.dependencies import authenticated_partner_env, authenticated_partner_impl

from ..dependencies import partner_from_api_key_or_password
from ..request_banks import env_knowing_request_banks
from ..request_id import RequestIdMiddleware
from ..routers import audit_router, bank_account_router, bulk_router, payment_accounts_router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _get_fastapi_routers(self):
        routers = super()._get_fastapi_routers()
        if self.app == "registry":
            routers.append(bank_account_router)
            routers.extend([bulk_router, payment_accounts_router, audit_router])
        return routers

    def _get_fastapi_app_middlewares(self):
        middlewares = super()._get_fastapi_app_middlewares()
        if self.app == "registry":
            middlewares = [*middlewares, Middleware(RequestIdMiddleware)]
        return middlewares

    def _get_app(self):
        app = super()._get_app()
        if self.app == "registry":
            app.dependency_overrides[authenticated_partner_impl] = partner_from_api_key_or_password
            app.dependency_overrides[authenticated_partner_env] = env_knowing_request_banks
        return app
