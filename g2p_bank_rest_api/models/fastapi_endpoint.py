"""Adds the bank-account sub-resource, bulk onboarding, the payment list and the audit routes to
the registry app, checks the caller's scopes on every route of the app, upstream's included
(see ``scope_checks``), lets it accept API keys (see ``dependencies``), makes each request look
up the banks it names at once (see ``request_banks``) and gives every answer its request id
(see ``request_id``)."""

from starlette.middleware import Middleware

from odoo import models

from odoo.addons.fastapi.dependencies import authenticated_partner_env, authenticated_partner_impl

from ..dependencies import partner_from_api_key_or_password
from ..request_id import RequestIdMiddleware
from ..routers import audit_router, bank_account_router, bulk_router, payment_accounts_router
from ..scope_checks import caller_env, with_scope_checks

REGISTRY_DEPENDENCY_OVERRIDES = {
    authenticated_partner_impl: partner_from_api_key_or_password,
    authenticated_partner_env: caller_env,
}
"""How the registry app authenticates and which environment its routes get."""


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _get_fastapi_routers(self):
        routers = super()._get_fastapi_routers()
        if self.app == "registry":
            routers = [*routers, bank_account_router, bulk_router, payment_accounts_router, audit_router]
            # Copies: the routers themselves (module globals) stay as their modules define them.
            routers = [with_scope_checks(router) for router in routers]
        return routers

    def _get_fastapi_app_middlewares(self):
        middlewares = super()._get_fastapi_app_middlewares()
        if self.app == "registry":
            middlewares = [*middlewares, Middleware(RequestIdMiddleware)]
        return middlewares

    def _get_app(self):
        app = super()._get_app()
        if self.app == "registry":
            app.dependency_overrides.update(REGISTRY_DEPENDENCY_OVERRIDES)
        return app
