"""17.0.1.2.0 adds scopes (groups of the "Registry API" category) checked on every registry
route: the users that could use the API before keep every scope (see ``scope_compatibility``)."""

import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.g2p_bank_rest_api.scope_compatibility import grant_every_scope_to_existing_users

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return  # a new installation: only Settings administrators hold the scopes
    env = api.Environment(cr, SUPERUSER_ID, {})
    users = grant_every_scope_to_existing_users(env)
    _logger.info("Registry API scopes: every scope kept by %s existing users", len(users))
