"""How the server is served: uvicorn on Python's own event loop and the httptools parser, one or
several worker processes sharing one listening socket.

A worker runs its request's database work in the event loop's thread (`api.blocking`). On libuv's
loop (uvloop) that starved connections: with 64 kept-alive clients on one worker, p99 was 30x
p50 (over 3 s), some connections waiting through dozens of turns of others, with a bare ASGI app
as much as with the registry; on Python's loop p99 stayed within 2.2x p50, registry GETs and
creates alike (`bench.concurrency` checks the tails at 16 and 64 clients).

With several workers, uvicorn binds the listening socket itself as `socket.socket(family)`,
whose protocol number is 0. asyncio turns Nagle's algorithm off (TCP_NODELAY) only on accepted
sockets whose protocol is IPPROTO_TCP, so on that path every answer written in two pieces
(headers, then body) waited for the client's delayed ACK: about 40 ms per request on a kept-alive
connection. The listening socket is bound here with TCP_NODELAY set, which Linux hands on to
every accepted connection, whatever the event loop.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from .logs import uvicorn_log_config

# Python's own loop: fair to every connection while requests run in its thread (see above);
# the httptools parser for speed.
EVENT_LOOP = "asyncio"
HTTP_PROTOCOL = "httptools"


class NoDelayConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def server_config(
    app: str, *, host: str, port: int, workers: int, log_level: str, **options: Any
) -> NoDelayConfig:
    return NoDelayConfig(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop=EVENT_LOOP,
        http=HTTP_PROTOCOL,
        log_config=uvicorn_log_config(log_level),
        access_log=False,
        # The client address (login throttling) is the registry's to decide, from
        # G2P_TRUSTED_PROXIES: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1.
        proxy_headers=False,
        **options,
    )


def serve(config: NoDelayConfig) -> None:
    """Serve until stopped: in this process with one worker, else under uvicorn's supervisor;
    on the socket bound above either way."""
    sockets = [config.bind_socket()]
    if config.workers > 1:
        Multiprocess(config, sockets=sockets).run()
        return
    server = uvicorn.Server(config)
    server.run(sockets=sockets)
    if not server.started:
        raise SystemExit(3)
