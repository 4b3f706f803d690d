"""Real server processes for the benchmarks, on 127.0.0.1 only, over prepared databases.

`prepared_database` migrates and seeds a fresh database and creates the admin user and an API
key once, before any server starts; `BenchServer` then runs `python -m bench.serving` on a free
loopback port, waits until every worker has started and `/healthz` answers, and stops its whole
process group at the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from g2p_registry_server.auth.api_keys import create_api_key
from g2p_registry_server.config import Settings
from g2p_registry_server.db import make_engine, make_sessionmaker
from g2p_registry_server.extensions import deployment_scopes
from g2p_registry_server.startup import prepare

from .common import backend_databases
from .load import basic_authorization, request

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_PATH = "/api/v1/registry"
START_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    api_key: str

    @property
    def password_authorization(self) -> str:
        return basic_authorization(self.user, self.password)

    @property
    def key_authorization(self) -> str:
        return basic_authorization(self.user, self.api_key)


def prepare_database(database_url: str) -> Credentials:
    """Migrate and seed the database, create the admin user and an API key for it."""
    password = secrets.token_urlsafe(18)
    settings = Settings(database_url=database_url, admin_password=password)
    prepare(settings)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine, write=True)() as session, session.begin():
            every_scope = deployment_scopes(settings.enabled_extensions)
            key = create_api_key(session, username="admin", scopes=every_scope, name="benchmark").key
    finally:
        engine.dispose()
    return Credentials(user="admin", password=password, api_key=key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process and of its descendants (Linux's /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_process_cpu_seconds(int(child)) for child in children)


class BenchServer:
    """`environment`: settings of the server (`G2P_*` variables) beyond its database."""

    def __init__(
        self,
        database_url: str,
        *,
        log_path: Path,
        app: str = "registry",
        workers: int = 1,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.database_url, self.log_path, self.app, self.workers = database_url, log_path, app, workers
        self.environment = environment or {}
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + REGISTRY_PATH

    def start(self) -> BenchServer:
        env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
        env |= {"G2P_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1"} | self.environment
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "bench.serving", "--app", self.app, "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
            )
        self._wait_until_ready()
        return self

    def _started_workers(self) -> int:
        return len(set(re.findall(r"Started server process \[(\d+)\]", self.log_tail(10**7))))

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"server exited; its log ends with:\n{self.log_tail()}")
            if self._started_workers() >= self.workers and self.healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"server not ready in {START_TIMEOUT_SECONDS:.0f}s; its log ends with:\n{self.log_tail()}"
        )

    def cpu_seconds(self) -> float:
        """CPU time spent so far by the server's processes (supervisor and workers); 0 where
        /proc is missing."""
        return _process_cpu_seconds(self._process.pid) if self._process is not None else 0.0

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-characters:]

    def healthy(self) -> bool:
        try:
            status, _ = request(self.base_url + "/healthz")
        except OSError:
            return False
        return status == 200

    def stop(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        self._process = None

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@dataclass
class LocalRegistry:
    """A fresh database of the chosen backend, its credentials and a server on it."""

    workdir: Path
    database_url: str
    credentials: Credentials
    server: BenchServer
    stack: contextlib.ExitStack  # for more servers on the same database


@contextlib.contextmanager
def local_registry(args, prefix: str) -> Iterator[LocalRegistry]:
    """What a local benchmark starts from; everything is stopped and removed on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir, contextlib.ExitStack() as stack:
        databases = stack.enter_context(backend_databases(args, Path(workdir)))
        database_url = databases.create()
        credentials = prepare_database(database_url)
        server = stack.enter_context(BenchServer(database_url, log_path=Path(workdir) / "registry.log"))
        yield LocalRegistry(Path(workdir), database_url, credentials, server, stack)
