"""Pure ASGI middleware of the server: the request log line, the body size limit, the
extendable registry made active for each request, and the number of requests a worker works on
at once."""

import asyncio
import contextlib
import json
import logging
import time
import weakref
from typing import Any

from extendable import context
from extendable.registry import ExtendableClassesRegistry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api.blocking import in_event_loop

access_log = logging.getLogger("g2p_registry_server.access")


class RequestLogMiddleware:
    """One line per request: method, path, status, duration. Never the body or the query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", scope["method"], scope["path"], status, duration_ms)


class BodySizeLimitMiddleware:
    """Answer 413 to a body larger than `max_bytes`, whether announced by Content-Length or
    streamed in chunks.

    A streamed body is cut where it passes the limit: the 413 is sent at once and the app sees
    the client disconnect, so it stops reading; whatever it then tries to send is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        received = 0
        response_started = False
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not response_started:
                    refused = True
                    await self._too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    async def _too_large(self, send: Send) -> None:
        body = json.dumps({"detail": f"Request body larger than {self.max_bytes} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class ExtendableRegistryMiddleware:
    """Make the app's extendable registry the current one while a request is handled, so that
    extendable schemas and processing classes resolve to the classes of the enabled extensions."""

    def __init__(self, app: ASGIApp, registry: ExtendableClassesRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        token = context.extendable_registry.set(self.registry)
        try:
            await self.app(scope, receive, send)
        finally:
            context.extendable_registry.reset(token)


class ConcurrencyLimitMiddleware:
    """Let at most `limit` requests into the app at once; the others wait on the event loop.

    A request holds pool threads, a database connection and, while it writes on SQLite, the
    writer lock, and it needs a pool thread again to commit. Past a few requests per core, more
    at once only thrash the GIL; past the thread pool's size (40) or the connection pool's (15),
    requests holding a connection or the writer lock could wait forever for a thread held by
    requests waiting for that connection or lock. Below both limits neither can happen, and the
    waiting requests cost nothing. With a limit of 1, the request's blocking work runs in the
    event loop's thread (`api.blocking`).
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        # Where the admitted request's blocking work runs: the loop's thread when it is alone.
        self._blocking_work = in_event_loop if limit == 1 else contextlib.nullcontext
        # One semaphore per event loop: a worker has one; a test client may run the app in
        # several, and a semaphore may only wait in the loop it was first used in.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.limit)
        async with slots:
            with self._blocking_work():
                await self.app(scope, receive, send)
