"""FastAPI dependencies of the registry app that this addon adds.

The registry app authenticates with HTTP Basic through OCA fastapi's
`authenticated_partner_from_basic_auth_user`, which calls `res.users.authenticate` without a
user-agent environment: Odoo then treats the login as interactive and accepts only the
password (PBKDF2, 600,000 rounds, on every request). Integrations send an Odoo API key
(`res.users.apikeys`, scope `rpc`) as the Basic password instead: it is random, revocable,
stored hashed, and about a hundred times cheaper to verify. Passwords keep working.
"""

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from odoo.api import Environment

from odoo.addons.base.models.res_partner import Partner
from odoo.addons.fastapi.dependencies import basic_auth_user, odoo_env


def partner_from_api_key_or_password(
    credential: Annotated[HTTPBasicCredentials, Depends(HTTPBasic())],
    env: Annotated[Environment, Depends(odoo_env)],
) -> Partner:
    """The partner of the user whose API key or password is the Basic password."""
    key_user_id = env["res.users.apikeys"].sudo()._check_credentials(scope="rpc", key=credential.password)
    if key_user_id:
        user = env["res.users"].sudo().browse(key_user_id)
        # A key only stands for its own user: the Basic user name must be that user's login.
        if user.login == credential.username:
            return env["res.partner"].browse(user.partner_id.id)
    # Not a key of this user: the password check, with its 401 on failure.
    user = basic_auth_user(credential, env)
    return env["res.partner"].browse(user.sudo().partner_id.id)
