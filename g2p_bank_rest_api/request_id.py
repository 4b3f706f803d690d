"""Every answer of the registry API carries ``X-Request-ID`` (contract section 6).

A small ASGI middleware of the registry app gives each request its id (the client's when it
sent a plausible one, else a new one: ``rules.audit.request_id``), keeps it in the request's
state for the audit trail, and adds it to the answer's headers.

OCA fastapi clears the app's exception handlers: an exception leaves the app and Odoo's
FastAPI dispatcher turns it into the answer, with the exception's ``headers``. So the id goes
onto the exception too, and every answer, error answers included, carries it. The same place
turns a refused shared account (``shared_account_policy.AccountHeldElsewhere``), which the
registry's update route wraps into its own 400, back into the 422 it is.
"""

from .rules.audit import REQUEST_ID_HEADER, request_id
from .shared_account_policy import held_elsewhere_error

_HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")


class RequestIdMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope.get("headers") or ():
            if name == _HEADER:
                sent = value.decode("latin-1")
                break
        the_id = request_id(sent)
        scope.setdefault("state", {})["request_id"] = the_id
        header = (_HEADER, the_id.encode("latin-1"))

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            refused = held_elsewhere_error(error, scope.get("state"))
            if refused is not None:
                raise _with_id(refused, the_id) from None
            _with_id(error, the_id)
            raise


def _with_id(error: Exception, the_id: str) -> Exception:
    # Exceptions of C extensions may take no attribute: they are answered without the header.
    if hasattr(error, "__dict__"):
        error.headers = {**(getattr(error, "headers", None) or {}), REQUEST_ID_HEADER: the_id}  # type: ignore[attr-defined]
    return error
