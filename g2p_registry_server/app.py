"""The app factory: a root app with the public `/healthz`, and the registry app mounted at
`/api/v1/registry` with its routes, the enabled extensions' routes, Basic auth on all of them
and offline docs.

Order matters for extendable-pydantic: extensions are imported, then the extendable registry is
built, then routers are included with that registry active (FastAPI captures request and answer
models at include time); the same registry is then made active for every request.
"""

import logging
from collections.abc import Sequence

from extendable import context
from fastapi import Depends, FastAPI
from sqlalchemy import Engine, text
from starlette.responses import JSONResponse
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE

from g2p_bank_server.rules.verified_passwords import VerifiedPasswords

from .api.authentication import BasicAuthGate
from .api.client_address import TrustedProxies
from .api.deps import SessionFactories, accept_language, get_current_user
from .auth import throttle
from .config import Settings
from .db import make_engine, make_sessionmaker, single_statement_reads
from .docs import add_offline_docs
from .error_handlers import AnsweredErrorsStop, install_error_handlers
from .extensions import LoadedExtension, build_extendable_registry, load_extensions
from .logs import configure_logging
from .middleware import (
    BodySizeLimitMiddleware,
    ConcurrencyLimitMiddleware,
    ExtendableRegistryMiddleware,
    RequestLogMiddleware,
)

REGISTRY_PATH = "/api/v1/registry"
TITLE = "OpenG2P Registry API"
DESCRIPTION = (
    "The OpenG2P/OpenSPP registry API (individuals, groups, IDs, phone numbers, memberships), "
    "served by a standalone server. HTTP Basic authentication on every route: the user's "
    "password, or one of the user's API keys (`g2p-registry api-key create`) as the password."
)

log = logging.getLogger(__name__)


def _registry_app(settings: Settings, engine: Engine, extensions: Sequence[LoadedExtension]) -> FastAPI:
    from .registrants.routers import group_router, individual_router

    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(get_current_user), Depends(accept_language)],
    )
    app.state.session_factories = SessionFactories(
        read=make_sessionmaker(engine, settings=settings),
        write=make_sessionmaker(engine, write=True, settings=settings),
    )
    # Credentials are checked on a connection of their own, before the request's session exists,
    # each by one statement outside a transaction.
    app.state.engine = single_statement_reads(engine)
    app.state.verified_passwords = VerifiedPasswords()
    app.state.password_hash_cost = settings.password_hash_cost
    app.state.implied_scopes = {
        scope: brought for loaded in extensions for scope, brought in loaded.extension.implied_scopes.items()
    }
    app.state.trusted_proxies = TrustedProxies(settings.trusted_proxy_networks)
    app.state.throttle_limits = throttle.Limits(
        per_login=settings.login_failures_per_login, per_address=settings.login_failures_per_address
    )
    app.include_router(group_router)
    app.include_router(individual_router)
    for loaded in extensions:
        for router in loaded.extension.routers:
            app.include_router(router)
    add_offline_docs(app)
    install_error_handlers(app)
    app.add_middleware(BasicAuthGate, state=app.state)
    # Outermost: a request waiting for its turn holds no thread and no connection.
    app.add_middleware(ConcurrencyLimitMiddleware, limit=settings.requests_per_worker)
    return app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    engine = make_engine(settings.database_url, requests_at_once=settings.requests_per_worker)
    extensions = load_extensions(settings.enabled_extensions)
    registry = build_extendable_registry(extensions)
    token = context.extendable_registry.set(registry)
    try:
        registry_app = _registry_app(settings, engine, extensions)
    finally:
        context.extendable_registry.reset(token)

    app = FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.settings = settings
    app.state.extendable_registry = registry
    app.state.registry_app = registry_app

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("Health check: the database does not answer")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    app.mount(REGISTRY_PATH, registry_app)
    install_error_handlers(app)
    # Added last = outermost: the log line covers the 413 answers too.
    app.add_middleware(ExtendableRegistryMiddleware, registry=registry)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestLogMiddleware)
    for loaded in extensions:
        for middleware in loaded.extension.middleware:
            app.add_middleware(middleware)
    log.info("Registry app ready; extensions: %s", ", ".join(e.extension.name for e in extensions) or "none")
    return app


def create_app_from_environment() -> ASGIApp:
    """Factory for uvicorn workers: every worker builds its app from the same environment.

    An app that cannot be built is a startup failure (uvicorn's exit status 3), not a crash: a
    supervisor restarts crashed workers, and would restart this one forever."""
    try:
        return AnsweredErrorsStop(create_app(Settings()))
    except Exception:
        log.exception("The registry app could not be built")
        raise SystemExit(STARTUP_FAILURE) from None
