"""Central mapping of exceptions to answers: domain errors to 400/404/409, unique-constraint
races to 409 without database text, request validation to 422 without echoing the input,
anything unexpected to a generic 500 whose log line holds no request body."""

import contextlib
import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import RegistryError

log = logging.getLogger(__name__)

CONFLICT_MESSAGE = (
    "The request conflicts with data written at the same time: a value that must be unique is "
    "already in use. Read the current state and retry."
)


def _registry_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code)


def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # The database's own message names tables and constraints; it stays in the log.
    log.warning(
        "Unique or foreign key constraint refused %s %s: %s", request.method, request.url.path, type(exc)
    )
    return JSONResponse({"detail": CONFLICT_MESSAGE}, status_code=409)


def _readable_error(error: dict) -> dict:
    # The offending input is left out: it may be personal or financial data (account numbers).
    readable = {key: value for key, value in error.items() if key != "input"}
    if "ctx" in readable:
        # A validator's exception travels in ctx and would serialize as {}: say it in words.
        readable["ctx"] = {
            key: str(value) if isinstance(value, Exception) else value
            for key, value in readable["ctx"].items()
        }
    return readable


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_readable_error(error) for error in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Logged once (the root app sees the error again after the registry app), with the frames
    # but without the exception's message: messages of validation errors quote their input.
    if not getattr(exc, "_g2p_logged", False):
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("Unexpected %s on %s %s\n%s", type(exc).__name__, request.method, request.url.path, frames)
        with contextlib.suppress(AttributeError):
            exc._g2p_logged = True  # type: ignore[attr-defined]
    return JSONResponse({"detail": "Internal server error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)


class AnsweredErrorsStop:
    """Outermost ASGI wrapper: Starlette re-raises an unexpected error after answering 500 so
    that the server logs it, and the server's log line would carry the exception's message.
    The error is logged above already; it stops here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception:
            if scope["type"] != "http":
                raise
