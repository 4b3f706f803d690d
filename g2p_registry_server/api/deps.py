"""Dependencies of every registry route: the request's database session (one transaction per
request) and the authenticated user (HTTP Basic).

`SessionDep` commits after the handler returns and rolls back when anything raises, before the
answer is sent: a failed request writes nothing, and a failed commit is not reported as success.
Services and repositories never commit.

Every plain `def` dependency costs a trip to the thread pool and back, which under the GIL costs
more than the work of most of them. So the dependencies that never block are `async def`; the
session is opened on the event loop (opening one does no I/O: the connection is taken at its
first query, in the handler's thread) and finished in one trip to the thread pool.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPBasic
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from .authentication import (
    SCOPE_KEY,
    AuthenticatedUser,
    Unauthorized,
    authenticate_credentials,
    basic_credentials,
)

# Methods that only read; other requests take SQLite's write lock when their transaction starts.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SessionFactories:
    read: sessionmaker[Session]
    write: sessionmaker[Session]


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    factories: SessionFactories = request.app.state.session_factories
    factory = factories.read if request.method in READ_METHODS else factories.write
    session = factory()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_roll_back_and_close, session)
        raise
    await run_in_threadpool(_commit_and_close, session)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class _DeclaredBasic(HTTPBasic):
    """Declares HTTP Basic in the OpenAPI document; `BasicAuthGate` checks the credentials
    (UTF-8 passwords included, which FastAPI's own parser refuses)."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


_basic = _DeclaredBasic(scheme_name="HTTPBasic", auto_error=False)


async def get_current_user(
    request: Request, _declared: Annotated[None, Depends(_basic)]
) -> AuthenticatedUser:
    user = request.scope.get(SCOPE_KEY)
    if user is not None:
        return user
    # Only an app without the gate gets here: check the credentials now.
    try:
        username, password = basic_credentials(request.headers.get("Authorization"))
        return await run_in_threadpool(authenticate_credentials, request.app.state, username, password)
    except Unauthorized as refusal:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=refusal.message, headers={"WWW-Authenticate": "Basic"}
        ) from None


CurrentUserDep = Annotated[AuthenticatedUser, Depends(get_current_user)]


async def accept_language(
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
