"""Load from wrk (Debian's `wrk`), for measurements where the load generator must not be the
bottleneck: many keep-alive connections from one C thread, latency percentiles, errors counted.

A Python client with 64 threads would spend the machine's two cores on its own GIL; wrk keeps
the figures the server's. Every connection is opened once and kept alive for the whole run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s+(\d+) requests in", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class WrkFigures:
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, broken connections and timeouts


def wrk_path() -> str | None:
    return shutil.which("wrk")


def parse_wrk(output: str) -> WrkFigures:
    latencies = {percent: float(value) * _UNITS[unit] for percent, value, unit in _LATENCY.findall(output)}
    requests, rate = _REQUESTS.search(output), _RATE.search(output)
    if requests is None or rate is None or set(latencies) != {"50", "99"}:
        raise ValueError(f"unexpected wrk output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(count) for count in socket_errors.groups()) if socket_errors else 0
    return WrkFigures(int(requests.group(1)), float(rate.group(1)), latencies["50"], latencies["99"], errors)


def run_wrk(
    url: str,
    *,
    clients: int,
    seconds: int,
    authorization: str | None = None,
    body: bytes | None = None,
    method: str | None = None,
    timeout_seconds: int = 30,
) -> WrkFigures:
    """`clients` keep-alive connections for `seconds`; `body` sent as JSON when given, with
    `method` (POST by default; GET without a body)."""
    executable = wrk_path()
    if executable is None:
        raise RuntimeError("wrk is not installed (Debian package `wrk`)")
    with tempfile.TemporaryDirectory(prefix="g2p-wrk-") as folder:
        command = [executable, "-t1", f"-c{clients}", f"-d{seconds}s", f"--timeout={timeout_seconds}s"]
        command += ["--latency", "-H", "Accept: application/json"]
        if authorization:
            command += ["-H", f"Authorization: {authorization}"]
        if body is not None or method not in (None, "GET"):
            body_path, script = Path(folder) / "body.json", Path(folder) / "request.lua"
            body_path.write_bytes(body or b"")
            script.write_text(
                f'local file = io.open("{body_path}", "rb")\n'
                f'wrk.method = "{method or "POST"}"\nwrk.body = file:read("*a")\nfile:close()\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
            command += ["-s", str(script)]
        finished = subprocess.run(  # noqa: S603 - wrk on a loopback URL of ours, fixed arguments
            [*command, url],
            capture_output=True,
            text=True,
            timeout=seconds + timeout_seconds + 30,
            check=False,
        )
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip()}")
    return parse_wrk(finished.stdout)
