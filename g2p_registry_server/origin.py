"""Who and what makes the writes of a transaction, for extensions that keep an audit trail.

The registry records nothing itself. It attaches to every write session the origin of its
writes: the user's login (and the API key's name when a key was used), the route and method,
and the request's id, so that an extension (the bank details' audit trail) records them with its
changes in the same transaction. The request id is read from the ASGI scope, where the
extension that owns the rule for it puts it (``REQUEST_ID_SCOPE_KEY``); without such an
extension, an origin has none. Command-line writes (the import) attach an origin of their own.
"""

import getpass
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.types import Scope

from .api.authentication import SCOPE_KEY, AuthenticatedUser

REQUEST_ID_SCOPE_KEY = "g2p_request_id"
_SESSION_KEY = "g2p_write_origin"


@dataclass(frozen=True)
class WriteOrigin:
    login: str
    api_key: str | None
    method: str
    route: str
    request_id: str | None


def attach_origin(session: Session, origin: WriteOrigin) -> None:
    session.info[_SESSION_KEY] = origin


def origin_of(session: Session) -> WriteOrigin | None:
    return session.info.get(_SESSION_KEY)


def request_origin(scope: Scope) -> WriteOrigin:
    """The origin of an HTTP request's writes: its user, its matched route's path template
    (``/registrant/{registrant_id}/bank_accounts``, not the path with its ids) and method."""
    user: AuthenticatedUser | None = scope.get(SCOPE_KEY)
    route = scope.get("route")
    return WriteOrigin(
        login=user.username if user is not None else "",
        api_key=user.api_key if user is not None else None,
        method=scope["method"],
        route=getattr(route, "path", None) or scope["path"],
        request_id=scope.get(REQUEST_ID_SCOPE_KEY),
    )


def command_origin(command: str, request_id: str | None) -> WriteOrigin:
    """The origin of a command's writes: actor ``<command>:<OS user>``, which no login can be
    (logins have no colon), route ``cli:<command>``, method ``CLI``."""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = "unknown"
    return WriteOrigin(
        login=f"{command}:{os_user}",
        api_key=None,
        method="CLI",
        route=f"cli:{command}",
        request_id=request_id,
    )
