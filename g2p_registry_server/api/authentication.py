"""HTTP Basic authentication of the registry app, checked before anything else of a request.

The gate runs as ASGI middleware so that an unauthenticated request answers 401 before its body
is read or parsed (FastAPI parses the body before it runs dependencies); the route dependency
then finds the user the gate authenticated. Documentation and OpenAPI stay public.

The Basic password is either the user's password or one of the user's API keys. A key costs one
indexed query and is never cached (revocation is immediate). A password costs an argon2
verification, remembered for a minute per worker (`VerifiedCredentials`); a remembered one
costs one indexed query that checks the user is still active with the same password hash.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from ..auth.api_keys import looks_like_key, user_of_key
from ..auth.passwords import VerifiedCredentials, verify_password
from ..auth.service import authenticate, current_password_hash

SCOPE_KEY = "g2p_user"
PUBLIC_PATHS = ("/openapi.json", "/docs", "/redoc")
PUBLIC_PREFIXES = ("/static/docs/",)
_PLAUSIBLE_USERNAME = re.compile(r"[^\x00-\x1f\x7f]{1,150}")


@dataclass(frozen=True)
class AuthenticatedUser:
    id: int
    username: str
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


def authenticate_credentials(state: State, username: str, password: str) -> AuthenticatedUser:
    """Blocking (argon2 and a database query): call it from a worker thread."""
    verified: VerifiedCredentials = state.verified_credentials
    if looks_like_key(password):
        with state.engine.connect() as connection:
            key_user = user_of_key(connection, username=username, key=password)
        if key_user is not None:
            return AuthenticatedUser(id=key_user.user_id, username=username, api_key=key_user.key_name)
        # Not a valid key: perhaps a password that looks like one; checked as a password below,
        # which also makes guessing keys as slow as guessing passwords.
    entry = verified.get(username, password)
    if entry is not None:
        with state.engine.connect() as connection:
            current_hash = current_password_hash(connection, user_id=entry.user_id)
        if verified.still_valid(entry, current_hash):
            return AuthenticatedUser(id=entry.user_id, username=username)
        verified.forget(username, password)
    if not _PLAUSIBLE_USERNAME.fullmatch(username):
        # Not a name the database could hold: spend the same time as for a wrong password.
        verify_password(None, password)
        raise Unauthorized("Invalid credentials")
    # A short read-only session of its own: the request's session (a write lock on SQLite)
    # is not held during the slow password check.
    with state.session_factories.read() as session:
        user = authenticate(session, username=username, password=password)
        if user is None:
            raise Unauthorized("Invalid credentials")
        user_id, password_hash = user.id, user.password_hash
    verified.put(username, password, user_id, password_hash)
    return AuthenticatedUser(id=user_id, username=username)


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
        try:
            username, password = basic_credentials(headers.get("authorization", b"").decode("latin-1"))
            user = await run_in_threadpool(authenticate_credentials, self.state, username, password)
        except Unauthorized as refusal:
            await _send_unauthorized(send, refusal.message)
            return
        scope[SCOPE_KEY] = user
        await self.app(scope, receive, send)


async def _send_unauthorized(send: Send, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b"Basic"),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
