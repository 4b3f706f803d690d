"""Run the standalone server as a real process, the way users run it, for black-box tests.

The server is started with ``python -m g2p_registry_server serve`` on a free loopback port;
its standard output and error go to a log file that tests read (for example to prove that
account numbers never appear in full). ``kill()`` sends SIGKILL, as a crash would.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


# Test servers take ports from a block of their own per pytest-xdist worker, below Linux's
# ephemeral range (32768-60999 by default): two workers never pick one port at the same moment,
# and no outgoing connection is given it meanwhile. With ports the system handed out (bind to 0),
# two workers once got the same one: the second server's health check was answered by the
# first server, and its tests were refused with the other's admin password.
PORT_BLOCKS_START, PORT_BLOCK_SIZE, PORT_BLOCKS = 20_000, 1_000, 12
_port_offsets = itertools.count(secrets.randbelow(PORT_BLOCK_SIZE))


def _port_block() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return PORT_BLOCKS_START + (index % PORT_BLOCKS) * PORT_BLOCK_SIZE


def free_port() -> int:
    """A port of this worker's block that nothing listens on now."""
    block = _port_block()
    for _ in range(PORT_BLOCK_SIZE):
        port = block + next(_port_offsets) % PORT_BLOCK_SIZE
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {block}-{block + PORT_BLOCK_SIZE - 1}")


class ServerDidNotStart(RuntimeError):
    pass


class LiveServer:
    """One server process over one database; restartable on the same port and database."""

    def __init__(
        self,
        database_url: str,
        *,
        log_path: Path,
        workers: int = 1,
        env: dict[str, str] | None = None,
        admin_password: str | None = None,
    ) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.admin_password = admin_password or secrets.token_urlsafe(18)
        self.extra_env = dict(env or {})
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v1/registry"

    @property
    def auth(self) -> tuple[str, str]:
        return ("admin", self.admin_password)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def environment(self) -> dict[str, str]:
        """The environment the server runs in: its database, admin password and test settings."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
        env.update(
            {
                "G2P_DATABASE_URL": self.database_url,
                "G2P_ADMIN_PASSWORD": self.admin_password,
                "PYTHONUNBUFFERED": "1",
                # Suites that send wrong credentials on purpose, all from 127.0.0.1, would
                # otherwise block their own logins; tests of throttling set the limits they test.
                "G2P_LOGIN_FAILURES_PER_LOGIN": "100000",
                "G2P_LOGIN_FAILURES_PER_ADDRESS": "100000",
                # Thousands of logins and refusals: hashes a thousandth as costly as a real
                # deployment's; tests about the cost of a hash ask for "standard".
                "G2P_PASSWORD_HASH_COST": "sandbox",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self) -> LiveServer:
        if self._process and self._process.poll() is None:
            raise RuntimeError("server already running")
        command = [
            sys.executable,
            "-m",
            "g2p_registry_server",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environment(),
                start_new_session=True,
            )
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise ServerDidNotStart(f"server exited early; log:\n{self.log_text()[-4000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise ServerDidNotStart(
            f"server not healthy in {STARTUP_TIMEOUT_SECONDS}s; log:\n{self.log_text()[-4000:]}"
        )

    def _signal_group(self, signum: int) -> None:
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self._process.pid, signum)

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the server and its workers)."""
        if self._process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self._process.wait()
        self._process = None

    def kill(self) -> None:
        """Crash: SIGKILL to the server and every worker, with no chance to clean up."""
        if self._process is None:
            return
        self._signal_group(signal.SIGKILL)
        self._process.wait()
        self._process = None

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def client(self, *, anonymous: bool = False, **kwargs) -> httpx.Client:
        """A client of the registry API with the admin's credentials, or `anonymous`."""
        kwargs.setdefault("timeout", 60)
        return httpx.Client(base_url=self.api_url, auth=None if anonymous else self.auth, **kwargs)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
