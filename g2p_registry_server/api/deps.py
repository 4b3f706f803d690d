"""Dependencies of every registry route: the request's database session (one transaction per
request) and the authenticated user (HTTP Basic).

`SessionDep` commits after the handler returns and rolls back when anything raises, before the
answer is sent: a failed request writes nothing, and a failed commit is not reported as success.
Services and repositories never commit.

Every trip to the thread pool and back costs, under the GIL, more than the work of most
dependencies. So the dependencies that never block are `async def`; the session is opened on
the event loop (opening one does no I/O: the connection is taken at its first query, in the
handler's thread); and routes of `OneTripRoute` run their plain `def` handler, then commit or
roll back its session and close it, in one trip (FastAPI alone makes three: the handler, the
session's end, the answer's validation). The session dependency then finds the session finished.
A worker working on one request at a time makes no trip at all (`blocking`).
"""

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPBasic
from sqlalchemy.orm import Session, sessionmaker

from ..auth.scopes import REGISTRY_READ, REGISTRY_WRITE, MissingScope
from ..origin import attach_request, finish_read, mark_read_session
from .authentication import SCOPE_KEY, AuthenticatedUser
from .blocking import run_blocking

# Methods that only read; other requests take SQLite's write lock when their transaction starts.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SessionFactories:
    read: sessionmaker[Session]
    write: sessionmaker[Session]

    @property
    def reads_record_afterwards(self) -> bool:
        """On SQLite a read holds no write lock and could not take one midway: what it must
        record (revealed numbers) is written by a short write transaction once it has finished
        (`origin.write_after_read`). On PostgreSQL a read's own transaction writes it, before its
        commit: no second transaction, three round trips fewer."""
        return self.write.kw["bind"].dialect.name == "sqlite"


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
        finish_read(session)
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


_FINISHED = "g2p_finished"


async def get_session(request: Request) -> AsyncIterator[Session]:
    factories: SessionFactories = request.app.state.session_factories
    writes = request.method not in READ_METHODS
    session = (factories.write if writes else factories.read)()
    attach_request(session, request.scope)
    if not writes and factories.reads_record_afterwards:
        mark_read_session(session, factories.write)
    try:
        yield session
    except BaseException:
        if not session.info.get(_FINISHED):
            await run_blocking(_roll_back_and_close, session)
        raise
    if not session.info.get(_FINISHED):
        await run_blocking(_commit_and_close, session)


def _handle_and_finish(handler: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """The handler, then the end of its session: commit when it returned, rollback when it
    raised; in the calling thread."""
    sessions = [value for value in arguments.values() if isinstance(value, Session)]
    try:
        result = handler(**arguments)
    except BaseException:
        for session in sessions:
            session.info[_FINISHED] = True
            _roll_back_and_close(session)
        raise
    for session in sessions:
        session.info[_FINISHED] = True
        _commit_and_close(session)
    return result


class OneTripRoute(APIRoute):
    """A route whose plain `def` handler and the end of its session run in one trip to the
    thread pool (see the module's docstring); `async def` handlers are left as they are."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _one_trip(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _one_trip(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    async def in_one_trip(**arguments: Any) -> Any:
        return await run_blocking(_handle_and_finish, handler, arguments)

    return in_one_trip


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class _Caller(HTTPBasic):
    """HTTP Basic as the OpenAPI document declares it; the caller is the user `BasicAuthGate`
    authenticated before routing (UTF-8 passwords included, which FastAPI's own parser refuses).
    A security scheme with no parameter but the request: FastAPI solves it alone, not a tree of
    dependencies per route."""

    def __init__(self) -> None:
        super().__init__(scheme_name="HTTPBasic", auto_error=False)

    async def __call__(self, request: Request) -> AuthenticatedUser:  # type: ignore[override]
        return request.scope[SCOPE_KEY]


class ScopeRequirement(_Caller):
    """The caller, once it is known to hold `scope` (else 403 naming it, before the handler runs:
    nothing written)."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    async def __call__(self, request: Request) -> AuthenticatedUser:  # type: ignore[override]
        user: AuthenticatedUser = request.scope[SCOPE_KEY]
        if self.scope not in user.scopes:
            route = getattr(request.scope.get("route"), "path", request.url.path)
            raise MissingScope(self.scope, needed_for=f"{request.method} {route}")
        return user


get_current_user = _Caller()


def require_scope(scope: str) -> Any:
    """The caller, once it is known to hold `scope` (else 403 naming it). Declared with
    `Security`, the scope shows in the route's security requirement in the OpenAPI document;
    pair it with `scope_answers(scope)` for the 403."""
    return Security(ScopeRequirement(scope), scopes=[scope])


def scope_answers(*scopes: str) -> dict[int | str, dict[str, Any]]:
    """The documented 403 of a route that needs `scopes`."""
    return {
        403: {
            "description": f"The caller does not hold the scope {' or '.join(scopes)} (`detail` names it)",
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}
                }
            },
        }
    }


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


RegistryReader = Annotated[AuthenticatedUser, require_scope(REGISTRY_READ)]
RegistryWriter = Annotated[AuthenticatedUser, require_scope(REGISTRY_WRITE)]
