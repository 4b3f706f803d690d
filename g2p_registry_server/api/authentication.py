"""HTTP Basic authentication of the registry app, checked before anything else of a request.

The gate runs as ASGI middleware so that an unauthenticated request answers 401 before its body
is read or parsed (FastAPI parses the body before it runs dependencies); the route dependency
then finds the user the gate authenticated. Documentation and OpenAPI stay public.

The Basic password is either the user's password or one of the user's API keys. A key costs one
indexed query and is never cached (revocation is immediate). A password costs an argon2
verification, remembered for a minute per worker (`VerifiedPasswords`, the cache both runtimes
share); a remembered one costs one indexed query that checks the user is still active with the
same password hash and reads its scopes, so that a scope taken away counts on the next request
in every worker.

Failed logins are counted per login and per client address (`auth.throttle`): a blocked login or
address answers 429 with Retry-After before any password hash is computed; the queries above
read the block in the same round trip. The client address is the socket's peer, or taken from
X-Forwarded-For when the peer is a trusted proxy (`client_address`).
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from g2p_bank_server.rules.verified_passwords import VerifiedPasswords

from ..auth import throttle
from ..auth.api_keys import looks_like_key, user_of_key
from ..auth.passwords import verify_password
from ..auth.scopes import read_scopes, with_implied
from ..auth.service import authenticate, current_user
from ..db import utc_now
from .blocking import run_blocking
from .client_address import TrustedProxies

SCOPE_KEY = "g2p_user"
PUBLIC_PATHS = ("/openapi.json", "/docs", "/redoc")
PUBLIC_PREFIXES = ("/static/docs/",)
_PLAUSIBLE_USERNAME = re.compile(r"[^\x00-\x1f\x7f]{1,150}")


@dataclass(frozen=True)
class AuthenticatedUser:
    id: int
    username: str
    # What this caller may do: the user's scopes, or those of the API key used that the user holds.
    scopes: frozenset[str]
    api_key: str | None = None  # the name of the API key used (None: the password was)


class Unauthorized(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def basic_credentials(authorization: str | None) -> tuple[str, str]:
    scheme, _, param = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not param.strip():
        raise Unauthorized("Not authenticated")
    try:
        decoded = base64.b64decode(param.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise Unauthorized("Invalid credentials") from None
    username, separator, password = decoded.partition(":")
    if not separator:
        raise Unauthorized("Invalid credentials")
    return username, password


# The realm of remembered passwords: a server serves one database (Odoo passes its database name).
ONE_DATABASE = ""


def authenticate_credentials(
    state: State, username: str, password: str, client_address: str | None = None
) -> AuthenticatedUser:
    """Blocking (argon2 and database queries): call it through `run_blocking`. Throttled while the
    login or the client address is blocked (`auth.throttle`), before any hash is computed."""
    plausible = _PLAUSIBLE_USERNAME.fullmatch(username) is not None
    attempt = throttle.attempt(username if plausible else None, client_address)
    verified: VerifiedPasswords = state.verified_passwords
    if plausible and looks_like_key(password):
        with state.engine.connect() as connection:
            holder = user_of_key(connection, username=username, key=password, attempt=attempt)
        if holder is not None:
            throttle.refuse_if_blocked(holder.blocked_until, utc_now())
            return AuthenticatedUser(
                id=holder.user_id,
                username=username,
                scopes=with_implied(holder.scopes, state.implied_scopes),
                api_key=holder.key_name,
            )
        # Not a valid key: perhaps a password that looks like one; checked as a password below,
        # which also makes guessing keys as slow as guessing passwords.
    entry = verified.lookup(ONE_DATABASE, username, password)
    if entry is not None:
        with state.engine.connect() as connection:
            stored = current_user(connection, user_id=entry.user_id, attempt=attempt)
        if stored is not None and verified.still_valid(entry, stored.password_hash):
            throttle.refuse_if_blocked(stored.blocked_until, utc_now())
            return AuthenticatedUser(
                id=entry.user_id, username=username, scopes=with_implied(stored.scopes, state.implied_scopes)
            )
        verified.forget(ONE_DATABASE, username, password)
    with state.engine.connect() as connection:
        standing = throttle.standing(connection, attempt)
    throttle.refuse_if_blocked(standing.blocked_until, utc_now())
    if not plausible:
        # Not a name the database could hold: spend the same time as for a wrong password.
        verify_password(None, password, cost=state.password_hash_cost)
        _record_failure(state, attempt)
        raise Unauthorized("Invalid credentials")
    # A short read-only session of its own: the request's session (a write lock on SQLite)
    # is not held during the slow password check.
    with state.session_factories.read() as session:
        user = authenticate(session, username=username, password=password, hash_cost=state.password_hash_cost)
        if user is not None:
            user_id, password_hash, scopes = user.id, user.password_hash, read_scopes(user.scopes)
    if user is None:
        _record_failure(state, attempt)
        raise Unauthorized("Invalid credentials")
    if standing.login_has_failed:
        with state.session_factories.write() as session, session.begin():
            throttle.forget_login(session, username)
    verified.remember(ONE_DATABASE, username, password, user_id, password_hash)
    return AuthenticatedUser(id=user_id, username=username, scopes=with_implied(scopes, state.implied_scopes))


def _record_failure(state: State, attempt: throttle.Attempt) -> None:
    with state.session_factories.write() as session, session.begin():
        throttle.record_failure(session, attempt, utc_now(), state.throttle_limits)


def client_address(scope: Scope, headers: dict[str, bytes], trusted: TrustedProxies) -> str | None:
    peer = scope.get("client")
    forwarded = headers.get("x-forwarded-for")
    return trusted.client_address(
        peer[0] if peer else None, forwarded.decode("latin-1") if forwarded is not None else None
    )


def _route_path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class BasicAuthGate:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope)
        if scope["type"] != "http" or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value for key, value in scope["headers"]}
        address = client_address(scope, headers, self.state.trusted_proxies)
        try:
            username, password = basic_credentials(headers.get("authorization", b"").decode("latin-1"))
            user = await run_blocking(authenticate_credentials, self.state, username, password, address)
        except Unauthorized as refusal:
            await _send_unauthorized(send, refusal.message)
            return
        except throttle.Throttled as refusal:
            await _send_throttled(send, refusal)
            return
        scope[SCOPE_KEY] = user
        await self.app(scope, receive, send)


async def _send_throttled(send: Send, refusal: throttle.Throttled) -> None:
    body = json.dumps({"detail": str(refusal)}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(refusal.retry_after).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_unauthorized(send: Send, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b"Basic"),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
