"""The request id of the audit trail: every answer carries ``X-Request-ID``, the client's when
it sent a plausible one, else a new one (``rules.audit.request_id``), and the events a request
writes carry the same id, which the registry reads from the request's scope."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from g2p_bank_server.rules import audit
from g2p_registry_server.origin import REQUEST_ID_SCOPE_KEY

_HEADER = audit.REQUEST_ID_HEADER.lower().encode("latin-1")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((value for name, value in scope["headers"] if name == _HEADER), None)
        request_id = audit.request_id(sent.decode("latin-1") if sent is not None else None)
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        header = (_HEADER, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        await self.app(scope, receive, send_with_id)
