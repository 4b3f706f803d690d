"""Several workers, a listening socket each on one port (SO_REUSEPORT): the kernel spreads new
connections over the workers, where on one shared socket the worker that woke first accepted a
whole burst of them (16 clients connecting together all went to one worker, kept alive).

Which process holds which socket is read from /proc, as `ss -p` does: the sockets of a port in
/proc/net/tcp, and the socket descriptors of each process in /proc/PID/fd.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from g2p_registry_server.serving import REPLACEMENT_START_SECONDS
from tests.registry_server.conftest import REGISTRY_ONLY
from tests.support.live_server import LiveServer, free_port

WORKERS, BURST = 2, 16
LISTEN, ESTABLISHED = "0A", "01"

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from /proc (Linux)")


def _sockets_of_port(port: int, state: str) -> set[int]:
    """Inodes of the IPv4 sockets whose local port is `port`, in `state`."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == state:
            found.add(int(fields[9]))
    return found


def _socket_inodes(pid: int) -> set[int]:
    """The sockets process `pid` holds; none once it has exited (a worker a restart retires)."""
    inodes: set[int] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:
        return inodes
    for fd in descriptors:
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


class Served(Protocol):
    """A server process: a LiveServer, or one a test starts itself."""

    @property
    def port(self) -> int: ...

    @property
    def pid(self) -> int | None: ...


def _listeners_by_worker(server: Served) -> dict[int, set[int]]:
    """Each child process of the server holding a listening socket of its port: which ones."""
    listening = _sockets_of_port(server.port, LISTEN)
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    held = {int(child): _socket_inodes(int(child)) & listening for child in children}
    return {pid: inodes for pid, inodes in held.items() if inodes}


def _wait_for_workers(server: Served, count: int) -> dict[int, set[int]]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _listeners_by_worker(server)
        if len(workers) == count:
            return workers
        time.sleep(0.1)
    raise AssertionError(f"not {count} workers listening: {workers}")


def _burst(port: int) -> list[http.client.HTTPConnection]:
    """`BURST` connections opened together, then a request on each: all answered, kept open."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(BURST)]
    for connection in connections:
        connection.connect()
    for connection in connections:
        connection.request("GET", "/healthz")
    for connection in connections:
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
    return connections


def _connections_by_worker(server: LiveServer, workers: dict[int, set[int]]) -> dict[int, int]:
    established = _sockets_of_port(server.port, ESTABLISHED)
    return {pid: len(_socket_inodes(pid) & established) for pid in workers}


@pytest.fixture(scope="module")
def two_workers(server_factory) -> LiveServer:
    return server_factory(workers=WORKERS, env=REGISTRY_ONLY)


def test_each_worker_listens_on_a_socket_of_its_own(two_workers):
    workers = _wait_for_workers(two_workers, WORKERS)
    assert all(len(inodes) == 1 for inodes in workers.values()), workers
    assert len(set.union(*workers.values())) == WORKERS
    assert _sockets_of_port(two_workers.port, LISTEN) == set.union(*workers.values())


def test_a_burst_of_connections_is_spread_over_the_workers(two_workers):
    # All 16 on one worker by chance: 2 in 65,536 with the kernel's hash of each connection.
    workers = _wait_for_workers(two_workers, WORKERS)
    connections = _burst(two_workers.port)
    try:
        held = _connections_by_worker(two_workers, workers)
    finally:
        for connection in connections:
            connection.close()
    assert sum(held.values()) == BURST, held
    assert all(count > 0 for count in held.values()), held


def test_a_dead_workers_socket_and_queue_go_to_its_replacement(two_workers):
    workers = _wait_for_workers(two_workers, WORKERS)
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    # Connections arriving before the replacement is up wait in the dead worker's queue.
    connections = _burst(two_workers.port)
    for connection in connections:
        connection.close()
    replaced = _wait_for_workers(two_workers, WORKERS)
    assert victim not in replaced
    assert set.union(*replaced.values()) == set.union(*workers.values())


def test_sighup_replaces_each_worker_on_its_socket_without_a_refused_request(two_workers):
    before = _wait_for_workers(two_workers, WORKERS)
    failures: list[str] = []
    answered = 0
    done = threading.Event()

    def ask_on_new_connections() -> None:
        nonlocal answered
        while not done.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", two_workers.port, timeout=30)
            try:
                connection.request("GET", "/healthz", headers={"Connection": "close"})
                answer = connection.getresponse()
                answer.read()
                if answer.status != 200:
                    failures.append(f"status {answer.status}")
                answered += 1
            except (http.client.RemoteDisconnected, ConnectionResetError):
                # Accepted by a retiring worker that had not read its request yet: uvicorn's
                # graceful stop closes such a connection unanswered (any server's stop does).
                pass
            except OSError as error:  # refused: no worker listening on a socket
                failures.append(repr(error))
            finally:
                connection.close()

    asking = threading.Thread(target=ask_on_new_connections)
    asking.start()
    try:
        os.kill(two_workers.pid, signal.SIGHUP)
        # Each replacement may take serving.REPLACEMENT_START_SECONDS to start.
        deadline = time.monotonic() + 2 * REPLACEMENT_START_SECONDS + 30
        while time.monotonic() < deadline:
            after = _listeners_by_worker(two_workers)
            if len(after) == WORKERS and not set(after) & set(before):
                break
            time.sleep(0.1)
    finally:
        done.set()
        asking.join()
    assert not set(after) & set(before), (before, after, two_workers.log_text()[-3000:])
    assert sorted(map(sorted, after.values())) == sorted(map(sorted, before.values()))
    assert not failures, failures[:5]
    assert answered > 0


SLOW_APP = """
import time

def create_app():
    time.sleep(SECONDS)

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"up"})

    return app
"""


@dataclass
class SlowServer:
    port: int
    pid: int


def test_sighup_waits_for_replacements_slower_to_start_than_a_health_check(tmp_path):
    """uvicorn gives a replacement its health-check timeout (5 s) to start; on a loaded machine
    the registry's workers can take longer, and the restart was given up halfway."""
    start_seconds = 6
    (tmp_path / "slow_app.py").write_text(SLOW_APP.replace("SECONDS", str(start_seconds)))
    port = free_port()
    serve = (
        "from g2p_registry_server.serving import serve, server_config; "
        f"serve(server_config('slow_app:create_app', host='127.0.0.1', port={port}, "
        f"workers={WORKERS}, log_level='INFO'))"
    )
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [sys.executable, "-c", serve], env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = SlowServer(port, process.pid)
    try:
        before = _wait_for_workers(server, WORKERS)
        time.sleep(start_seconds + 2)  # both started
        os.kill(process.pid, signal.SIGHUP)
        deadline = time.monotonic() + WORKERS * (start_seconds + 5) + 30
        while time.monotonic() < deadline:
            after = _listeners_by_worker(server)
            if len(after) == WORKERS and not set(after) & set(before):
                break
            time.sleep(0.2)
        assert not set(after) & set(before), (before, after, log.read_text()[-3000:])
        assert "restart given up" not in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_a_second_server_on_the_port_is_refused(two_workers):
    command = [sys.executable, "-m", "g2p_registry_server", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(two_workers.port), "--workers", str(WORKERS)]
    second = subprocess.run(  # noqa: S603 - our own server, fixed arguments
        command, env=two_workers.environment(), capture_output=True, text=True, timeout=120, check=False
    )
    assert second.returncode == 3, second.stdout + second.stderr
    assert "Address already in use" in second.stdout + second.stderr
    assert len(_wait_for_workers(two_workers, WORKERS)) == WORKERS


@pytest.mark.parametrize("workers", [1, WORKERS])
def test_workers_that_cannot_build_the_app_stop_the_server_with_status_3(workers):
    """A worker whose app cannot be built exits with uvicorn's startup failure status, which
    stops the supervisor (a crash would have it restarted forever) and the server exits 3."""
    serve = (
        "from g2p_registry_server.serving import serve, server_config; "
        "serve(server_config('g2p_registry_server.app:create_app_from_environment', "
        f"host='127.0.0.1', port=0, workers={workers}, log_level='INFO'))"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
    environment["G2P_DATABASE_URL"] = "nosuchdatabase://nowhere/registry"
    stopped = subprocess.run(  # noqa: S603 - our own server, fixed arguments
        [sys.executable, "-c", serve],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = stopped.stdout + stopped.stderr
    assert stopped.returncode == 3, output[-3000:]
    assert "The registry app could not be built" in output
