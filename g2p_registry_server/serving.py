"""How the server is served: uvicorn on uvloop and httptools, one or several worker processes
sharing one listening socket.

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

# Chosen for speed: libuv's event loop and the httptools parser (uvicorn's "standard" set).
EVENT_LOOP = "uvloop"
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
