"""Dependencies of every registry route: the request's database session (one transaction per
request) and the authenticated user (HTTP Basic).

`SessionDep` commits after the handler returns and rolls back when anything raises, before the
answer is sent: a failed request writes nothing, and a failed commit is not reported as success.
Services and repositories never commit.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from sqlalchemy.orm import Session, sessionmaker

from ..auth.passwords import VerifiedCredentials, verify_password
from ..auth.service import authenticate

# Methods that only read; other requests take SQLite's write lock when their transaction starts.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PLAUSIBLE_USERNAME = re.compile(r"[^\x00-\x1f\x7f]{1,150}")


@dataclass(frozen=True)
class SessionFactories:
    read: sessionmaker[Session]
    write: sessionmaker[Session]


@dataclass(frozen=True)
class AuthenticatedUser:
    id: int
    username: str


def get_session(request: Request) -> Iterator[Session]:
    factories: SessionFactories = request.app.state.session_factories
    factory = factories.read if request.method in READ_METHODS else factories.write
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_basic = HTTPBasic(auto_error=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Basic"})


def get_current_user(
    request: Request, credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)]
) -> AuthenticatedUser:
    if credentials is None:
        raise _unauthorized("Not authenticated")
    username, password = credentials.username, credentials.password
    verified: VerifiedCredentials = request.app.state.verified_credentials
    user_id = verified.get(username, password)
    if user_id is None:
        if not _PLAUSIBLE_USERNAME.fullmatch(username):
            # Not a name the database could hold: spend the same time as for a wrong password.
            verify_password(None, password)
            raise _unauthorized("Invalid credentials")
        # A short read-only session of its own: the request's session (a write lock on SQLite)
        # should not be held during the slow password check.
        factories: SessionFactories = request.app.state.session_factories
        with factories.read() as session:
            user = authenticate(session, username=username, password=password)
            user_id = user.id if user is not None else None
        if user_id is None:
            raise _unauthorized("Invalid credentials")
        verified.put(username, password, user_id)
    return AuthenticatedUser(id=user_id, username=username)


CurrentUserDep = Annotated[AuthenticatedUser, Depends(get_current_user)]


def accept_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            description=(
                "The Accept-Language header is used to specify the language of the content to be "
                "returned. If a language is not available, the server will return the content in "
                "the default language."
            ),
        ),
    ] = None,
) -> str | None:
    """Declared on every route as upstream does; the registry's answers carry no translated text."""
    return accept_language
