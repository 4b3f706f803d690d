"""Serve an app for a benchmark, exactly as `g2p-registry serve` serves the registry (same
server, event loop, HTTP parser, socket and worker processes): the real app; the same app with
authentication taken out, to measure what authentication costs; the same app with its routes'
scope checks taken out, to measure what they cost; the floor, a bare FastAPI app answering a
constant, to measure what the registry costs beyond the serving stack itself; or the floor
replaying a GET's statements (`bench.statements`): what the request's database work costs on
this stack with none of the registry's code around it. All but the first exist only here, in
the benchmarks: the server has no such setting.

    python -m bench.serving --app registry|without-auth|without-scope-checks|floor|statements \
        --port PORT [--workers N]

`statements` replays `GET $BENCH_STATEMENTS_OF` as `Authorization: $BENCH_AUTHORIZATION` does
it (a path under the registry's prefix, of a registrant that exists before the server starts).

The database must be prepared (migrated, seeded) beforehand: the benchmark does it once.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from g2p_registry_server.api.authentication import SCOPE_KEY, AuthenticatedUser, BasicAuthGate
from g2p_registry_server.api.deps import ScopeRequirement
from g2p_registry_server.app import REGISTRY_PATH, create_app
from g2p_registry_server.config import Settings
from g2p_registry_server.error_handlers import AnsweredErrorsStop
from g2p_registry_server.extensions import deployment_scopes
from g2p_registry_server.serving import serve, server_config

from .statements import capture, replay

APPS = {
    "registry": "g2p_registry_server.app:create_app_from_environment",
    "without-auth": "bench.serving:create_app_without_auth",
    "without-scope-checks": "bench.serving:create_app_without_scope_checks",
    "floor": "bench.serving:create_floor_app",
    "statements": "bench.serving:create_statements_app",
}
FLOOR_PATH = "/floor"
STATEMENTS_OF, AUTHORIZATION = "BENCH_STATEMENTS_OF", "BENCH_AUTHORIZATION"


def _nobody(settings: Settings) -> AuthenticatedUser:
    # Every scope: the routes' scope checks pass and answers show what the admin's show.
    return AuthenticatedUser(
        id=0, username="benchmark", scopes=frozenset(deployment_scopes(settings.enabled_extensions))
    )


class _Unchecked:
    """In the Basic-auth gate's place: every request is the benchmark's user, unchecked."""

    def __init__(self, app: ASGIApp, user: AuthenticatedUser) -> None:
        self.app, self.user = app, user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.user
        await self.app(scope, receive, send)


def create_app_without_auth() -> ASGIApp:
    """The server's app with the Basic-auth gate taken out, nothing else."""
    settings = Settings()
    app = create_app(settings)
    nobody = _nobody(settings)
    registry_app = app.state.registry_app
    # Starlette builds the middleware stack on the first request, from this list.
    registry_app.user_middleware = [
        Middleware(_Unchecked, user=nobody) if layer.cls is BasicAuthGate else layer
        for layer in registry_app.user_middleware
    ]
    return AnsweredErrorsStop(app)


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # a router included in another one
            yield from _api_routes(route.original_router.routes)


def _scope_requirements(dependant: Dependant) -> Iterator[ScopeRequirement]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, ScopeRequirement):
            yield sub.call
        yield from _scope_requirements(sub)


class _NoScopeChecked(ScopeRequirement):
    async def __call__(self, request: Request) -> AuthenticatedUser:  # type: ignore[override]
        return request.scope[SCOPE_KEY]


def create_app_without_scope_checks() -> ASGIApp:
    """The server's app with its routes' scope requirements checking nothing: the same
    authentication, the same dependencies solved the same way (FastAPI's dependency overrides
    would build them anew on every request), no scope checked."""
    app = create_app(Settings())
    for route in _api_routes(app.state.registry_app.routes):
        for requirement in _scope_requirements(route.dependant):
            requirement.__class__ = _NoScopeChecked
    return AnsweredErrorsStop(app)


def _bare_app(endpoint: Callable[[], Awaitable[Any]]) -> FastAPI:
    """FastAPI routing and an answer, no middleware: `endpoint` at `FLOOR_PATH`."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_api_route(FLOOR_PATH, endpoint, methods=["GET", "POST"])
    return app


def create_floor_app() -> ASGIApp:
    """The framework's own floor: FastAPI routing and JSON answer, no middleware, no database."""

    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    return _bare_app(constant)


def create_statements_app() -> ASGIApp:
    """The floor, whose `FLOOR_PATH` runs the database work of one GET of the registry (its
    statements, captured from the real app when the worker starts, replayed on the registry's
    own engine, in the event loop's thread as the registry runs them by default) and answers
    the registry's answer to it."""
    registry = create_app(Settings())
    engine = registry.state.engine
    captured = capture(registry, engine, REGISTRY_PATH + os.environ[STATEMENTS_OF], os.environ[AUTHORIZATION])

    async def statements() -> Response:
        replay(engine, captured.transactions)
        return Response(captured.body, media_type="application/json")

    return _bare_app(statements)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serving", description=__doc__)
    parser.add_argument("--app", choices=sorted(APPS), default="registry")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    settings = Settings()
    serve(
        server_config(
            APPS[args.app],
            host="127.0.0.1",
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level,
        )
    )


if __name__ == "__main__":
    main()
