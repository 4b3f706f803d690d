"""FastAPI dependencies of the registry app that this addon adds.

The registry app authenticates with HTTP Basic through OCA fastapi's
`authenticated_partner_from_basic_auth_user`, which calls `res.users.authenticate` without a
user-agent environment: Odoo then treats the login as interactive and accepts only the
password (PBKDF2, 600,000 rounds, on every request). This addon's dependency, installed in its
place, accepts three things, tried from the cheapest:

- a password this worker verified less than a minute ago (`rules.verified_passwords`, the cache
  both runtimes share; realm: the database), trusted only
  while the user is active and still has the password hash it was verified against: one
  indexed SELECT on `res_users`;
- an Odoo API key (`res.users.apikeys`, scope `rpc`) as the password: random, revocable, stored
  hashed, about a hundred times cheaper to verify, and never cached, so that revoking it takes
  effect at once;
- otherwise Odoo's own login (`res.users.authenticate`): password check, login cooldown,
  login log and the 401 on failure, exactly as without this addon.

The login, and the API key's name when a key was used, stay in the request's state
(``actor_login``, ``api_key_name``): the audit trail records who made each change.
"""

from typing import Annotated, NamedTuple

from fastapi import Depends, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from odoo.api import Environment
from odoo.exceptions import AccessDenied

from odoo.addons.base.models.res_partner import Partner
from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT
from odoo.addons.fastapi.dependencies import basic_auth_user, odoo_env

from .rules.verified_passwords import VerifiedPasswords

# The same user Odoo's login looks up (logins are unique), if it may still log in.
_ACTIVE_USER_BY_LOGIN = (
    "SELECT id, COALESCE(password, ''), partner_id FROM res_users WHERE login = %s AND active"
)
# The key Odoo has just accepted, by its user and index (Odoo's check returns only the user).
_API_KEYS_BY_INDEX = (
    "SELECT name, key FROM res_users_apikeys"
    " WHERE user_id = %s AND index = %s AND (scope IS NULL OR scope = 'rpc')"
)

# One per worker process (a forked worker starts its own afresh).
verified_passwords = VerifiedPasswords()


class Caller(NamedTuple):
    """Who sent the request: the authenticated user, and its partner (the registry's routes run
    as the endpoint's user; the scope checks look at this user's groups)."""

    user_id: int
    partner_id: int


def authenticated_caller(
    credential: Annotated[HTTPBasicCredentials, Depends(HTTPBasic())],
    env: Annotated[Environment, Depends(odoo_env)],
    request: Request,
) -> Caller:
    """The user whose API key or password is the Basic password (401 otherwise).

    FastAPI runs it once per request, however many dependencies need the caller. The login,
    and the key's name when a key was used, stay in the request's state for the audit trail.
    """
    request.state.actor_login = credential.username
    caller = _caller_of_verified_password(env, credential)
    if caller:
        return caller
    key_user_id = env["res.users.apikeys"].sudo()._check_credentials(scope="rpc", key=credential.password)
    if key_user_id:
        user = env["res.users"].sudo().browse(key_user_id)
        # A key only stands for its own user: the Basic user name must be that user's login.
        if user.login == credential.username:
            request.state.api_key_name = _api_key_name(env, key_user_id, credential.password)
            return Caller(user.id, user.partner_id.id)
    return _caller_of_password(env, credential)


def partner_from_api_key_or_password(
    caller: Annotated[Caller, Depends(authenticated_caller)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> Partner:
    """The partner of the user whose API key or password is the Basic password."""
    return env["res.partner"].browse(caller.partner_id)


def _api_key_name(env: Environment, user_id: int, key: str) -> str | None:
    """The name of the user's key ``key`` (already accepted by Odoo)."""
    env.cr.execute(_API_KEYS_BY_INDEX, [user_id, key[:INDEX_SIZE]])
    rows = env.cr.fetchall()
    if len(rows) == 1:
        return rows[0][0]
    # Keys of one user sharing their first characters: the hash tells which one it is.
    return next((name for name, stored in rows if KEY_CRYPT_CONTEXT.verify(key, stored)), None)


def _active_user(env: Environment, login: str) -> tuple[int, str, int] | None:
    """(user id, stored password hash, partner id) of the active user with this login."""
    env.cr.execute(_ACTIVE_USER_BY_LOGIN, [login])
    return env.cr.fetchone()


def _caller_of_verified_password(env: Environment, credential: HTTPBasicCredentials) -> Caller | None:
    database, login, password = env.cr.dbname, credential.username, credential.password
    entry = verified_passwords.lookup(database, login, password)
    if entry is None:
        return None
    user = _active_user(env, login)
    if user is None or user[0] != entry.user_id or not verified_passwords.still_valid(entry, user[1]):
        verified_passwords.forget(database, login, password)
        return None
    try:
        # Odoo's cooldown after repeated failures from this address holds for every login
        # attempt, a remembered password included; a success ends it, as Odoo's own does.
        with env["res.users"]._assert_can_auth(user=login):
            pass
    except AccessDenied:
        return None  # the full check below refuses it, with Odoo's message and log line
    return Caller(user[0], user[2])


def _caller_of_password(env: Environment, credential: HTTPBasicCredentials) -> Caller:
    """Odoo's login (401 on failure); a success is remembered for the next requests."""
    # Read before Odoo checks, in this request's older snapshot: if the password changes in
    # between, the remembered hash is the old one and the next request verifies again.
    before = _active_user(env, credential.username)
    user = basic_auth_user(credential, env)
    if before is not None and before[0] == user.id and before[1]:
        verified_passwords.remember(
            env.cr.dbname, credential.username, credential.password, user.id, before[1]
        )
    return Caller(user.id, user.sudo().partner_id.id)
