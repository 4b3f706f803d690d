"""Who and what makes the writes of a transaction, for extensions that keep an audit trail.

The registry records nothing itself. It attaches to every write session the origin of its
writes: the user's login (and the API key's name when a key was used), the route and method,
and the request's id, so that an extension (the bank details' audit trail) records them with its
changes in the same transaction. The request id is read from the ASGI scope, where the
extension that owns the rule for it puts it (``REQUEST_ID_SCOPE_KEY``); without such an
extension, an origin has none. Command-line writes (the import) attach an origin of their own.
"""

import getpass
from collections.abc import Callable
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


_REQUEST_KEY = "g2p_request_scope"


def attach_origin(session: Session, origin: WriteOrigin) -> None:
    session.info[_SESSION_KEY] = origin


def attach_request(session: Session, scope: Scope) -> None:
    """The session serves the HTTP request of this ASGI scope: its origin (`request_origin`) is
    worked out when something asks for it, as most requests write nothing that records it."""
    session.info[_REQUEST_KEY] = scope


def origin_of(session: Session) -> WriteOrigin | None:
    origin = session.info.get(_SESSION_KEY)
    if origin is None and _REQUEST_KEY in session.info:
        origin = session.info[_SESSION_KEY] = request_origin(session.info[_REQUEST_KEY])
    return origin


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


# What a read must leave behind (the bank details' `revealed` events). On SQLite a read session
# writes nothing (it holds no write lock, and could not take one midway): its records are written
# by a short write transaction once the read has finished, before the answer is sent. (On
# PostgreSQL the request's read session is not marked as one, and writes them itself.)
_WRITE_FACTORY_KEY = "g2p_write_factory"
_AFTER_READ_KEY = "g2p_writes_after_read"


def mark_read_session(session: Session, write_factory: Callable[[], Session]) -> None:
    session.info[_WRITE_FACTORY_KEY] = write_factory


def is_read_session(session: Session) -> bool:
    return _WRITE_FACTORY_KEY in session.info


def write_after_read(session: Session, write: Callable[[Session], None]) -> None:
    """Have `write` run, with the read's origin, in a write transaction after the read session
    commits (`finish_read`)."""
    session.info.setdefault(_AFTER_READ_KEY, []).append(write)


def finish_read(session: Session) -> None:
    """Run the writes a committed read session left (none: nothing happens); raises if they fail,
    so that the answer is not sent without its records."""
    writes: list[Callable[[Session], None]] = session.info.pop(_AFTER_READ_KEY, [])
    if not writes:
        return
    factory: Callable[[], Session] = session.info[_WRITE_FACTORY_KEY]
    with factory() as writer, writer.begin():
        origin = origin_of(session)
        if origin is not None:
            attach_origin(writer, origin)
        for write in writes:
            write(writer)
