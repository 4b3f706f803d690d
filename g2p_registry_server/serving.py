"""How the server is served: uvicorn on Python's own event loop and the httptools parser, one or
several worker processes with a listening socket each, on one port.

A worker runs its request's database work in the event loop's thread (`api.blocking`). On libuv's
loop (uvloop) that starved connections: with 64 kept-alive clients on one worker, p99 was 30x
p50 (over 3 s), some connections waiting through dozens of turns of others, with a bare ASGI app
as much as with the registry; on Python's loop p99 stayed within 2.2x p50, registry GETs and
creates alike (`bench.concurrency` checks the tails at 16 and 64 clients).

With several workers, uvicorn binds the listening socket itself as `socket.socket(family)`,
whose protocol number is 0. asyncio turns Nagle's algorithm off (TCP_NODELAY) only on accepted
sockets whose protocol is IPPROTO_TCP, so on that path every answer written in two pieces
(headers, then body) waited for the client's delayed ACK: about 40 ms per request on a kept-alive
connection. The listening sockets are bound here with TCP_NODELAY set, which Linux hands on to
every accepted connection, whatever the event loop.

On Linux, several workers get one listening socket each, all on the same port (SO_REUSEPORT):
the kernel spreads new connections over them. On one shared socket, the worker that woke first
accepted every connection waiting (asyncio accepts up to the backlog at a time): 16 clients
connecting together all went to one worker and stayed there, kept alive, and 2 workers served
them no faster than 1.
The supervisor holds every socket for the server's life, so a worker that dies leaves its queue
to its replacement, and a second server on the same port is refused, as with one socket: the port
is probed with a plain socket before the shared ones are bound.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from .logs import uvicorn_log_config

# Python's own loop: fair to every connection while requests run in its thread (see above);
# the httptools parser for speed.
EVENT_LOOP = "asyncio"
HTTP_PROTOCOL = "httptools"


logger = logging.getLogger("uvicorn.error")

# Linux balances connections over the sockets sharing a port; BSD and macOS give them all to one
# of them (and Windows has no SO_REUSEPORT).
SOCKETS_SPREAD_CONNECTIONS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")

# How long a SIGHUP replacement may take to start serving (a new interpreter, the app's imports,
# its database): about a second on an idle machine, several on a loaded one, where uvicorn's
# 5 s (its health-check timeout) gave restarts up halfway, one worker replaced and one not.
REPLACEMENT_START_SECONDS = 60


class NoDelayConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def bind_worker_sockets(self) -> list[socket.socket]:
        """One listening socket per worker, all on this host and port (SO_REUSEPORT), Nagle off.

        The port is first bound with a plain socket, as one worker binds it: a port another
        server listens on is refused here, never silently shared with it. Port 0 takes the
        port the first socket is given."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        port = self.port
        if port:
            # The probe: bound as one worker binds its socket, then let go.
            _bound_or_exit(family, (self.host, port)).close()
        sockets: list[socket.socket] = []
        for _ in range(self.workers):
            sock = _bound_or_exit(family, (self.host, port), shared=True)
            port = sock.getsockname()[1]
            # Listening from now on: connections wait in the queue until its worker is up.
            sock.listen(self.backlog)
            sock.set_inheritable(True)
            sockets.append(sock)
        logger.info(
            "Uvicorn running on http://%s:%d with %d workers (Press CTRL+C to quit)",
            self.host,
            port,
            self.workers,
        )
        return sockets


def _bound_or_exit(
    family: socket.AddressFamily, address: tuple[str, int], *, shared: bool = False
) -> socket.socket:
    """A TCP socket bound to `address` (SO_REUSEADDR, Nagle off; SO_REUSEPORT when `shared`),
    or uvicorn's startup failure when the address is taken."""
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        logger.error(error)
        sys.exit(STARTUP_FAILURE)
    return sock


class WorkerSupervisor(Multiprocess):
    """uvicorn's supervisor (signals, health checks, restarts), with worker `n` always on
    socket `n`: a replacement takes over its predecessor's socket and the connections queued on
    it (where the kernel does not spread connections, every entry is the one shared socket). The
    number of workers is the number of sockets: SIGTTIN and SIGTTOU change nothing. Unlike
    uvicorn's own, a worker that fails to start stops the server with exit status 3 (`serve`),
    and SIGHUP brings each replacement up before its predecessor stops."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=sockets)
        # A worker failed before serving: the server stops, with uvicorn's exit status for it.
        self.startup_failed = False

    def _start(self, slot: int) -> Process:
        process = Process(self.config, [self.sockets[slot]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(slot) for slot in range(len(self.sockets))]

    def keep_subprocess_alive(self) -> None:
        for slot, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung or dead
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # It failed before serving: every replacement would fail alike.
                logger.error("Child process [%s] failed to start, stopping the parent process.", process.pid)
                self.startup_failed = True
                self.should_exit.set()
                return
            logger.info("Child process [%s] died", process.pid)
            self.processes[slot] = self._start(slot)

    def restart_all(self) -> None:
        """SIGHUP: each worker in turn is replaced, its replacement serving on the same socket
        before it is stopped (no moment without a worker on a socket). A replacement that is not
        ready in time (`REPLACEMENT_START_SECONDS`) or dies starting is stopped and the restart
        given up, the workers not yet replaced kept."""
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(slot)
            if not new.wait_until_ready(REPLACEMENT_START_SECONDS, self.should_exit):
                new.kill()
                new.join()
                logger.error("New child process [%s] was not ready in time: restart given up.", new.pid)
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def handle_ttin(self) -> None:
        logger.info("Received SIGTTIN: the number of workers is fixed by --workers, unchanged.")

    def handle_ttou(self) -> None:
        logger.info("Received SIGTTOU: the number of workers is fixed by --workers, unchanged.")


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
    """Serve until stopped: in this process on one socket with one worker; else under the
    supervisor, with a socket per worker where the kernel spreads connections over them (Linux),
    on one shared socket elsewhere."""
    if config.workers > 1:
        if SOCKETS_SPREAD_CONNECTIONS:
            sockets = config.bind_worker_sockets()
        else:
            sockets = [config.bind_socket()] * config.workers
        supervisor = WorkerSupervisor(config, sockets)
        supervisor.run()
        if supervisor.startup_failed:
            # Not 0, as uvicorn's own supervisor exits: a service manager must see the failure.
            raise SystemExit(STARTUP_FAILURE)
        return
    server = uvicorn.Server(config)
    server.run(sockets=[config.bind_socket()])
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)
