"""This tree against an earlier revision, side by side in one run: what a change costs.

    python -m bench.revisions --revision REV [--backend sqlite|postgresql] [--smoke]

The earlier revision is unpacked from git into a temporary folder and served by the same
interpreter and libraries (its folder first on PYTHONPATH), each server on a fresh database of
the chosen backend, one worker each, called with the administrator's password (remembered by
the server after the first request). Scenarios of both servers are measured in interleaved
rounds (bench.load), so a slow spell of the machine hits both alike.

Scenarios and targets (a revision before the audit trail and scopes, e.g. the first commit of
that work, shows their cost):
- `POST /individual` with 5 accounts: this tree records the audit trail (created events and the
  answer's `revealed` event) in the same transaction; target at least 1/1.15 of the revision.
- `GET /individual/{id}` by a caller holding registry:read and bank:read (masked numbers: no
  event to write): the scope checks and masking; target at least 0.95 of the revision.
- `GET /individual/{id}` by the administrator (full numbers: a `revealed` event written after
  the read), reported without a target.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

from .common import add_backend_arguments, backend_databases
from .load import (
    Scenario,
    add_load_arguments,
    basic_authorization,
    exit_status,
    load_plan,
    measure_plan,
    median_ratio,
    report,
    request,
)
from .registrants import individual, individual_body
from .servers import REGISTRY_PATH, ROOT, START_TIMEOUT_SECONDS, _free_port

CREATE_TARGET = 1 / 1.15
MASKED_READ_TARGET = 0.95


def unpack_revision(revision: str, into: Path) -> Path:
    """The files of `revision`, importable like an installed tree (the shared rules as
    g2p_bank_server.rules, as the package's installation maps them)."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True)  # noqa: S603, S607
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)  # noqa: S603, S607
    rules = into / "g2p_bank_server" / "rules"
    if not rules.exists():
        rules.symlink_to(into / "g2p_bank_rest_api" / "rules", target_is_directory=True)
    _write_distribution_metadata(into)
    return into


def _write_distribution_metadata(tree: Path) -> None:
    """The revision's own entry points (its extensions), found before the installed tree's:
    Python reads entry points from the first distribution of a name on its path, and the
    extensions' modules moved between revisions."""
    project = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
    name = project["name"].replace("-", "_")
    info = tree / f"{name}-{project['version']}.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    (info / "METADATA").write_text(metadata)
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items()) + "\n"
            for group, entries in project.get("entry-points", {}).items()
        )
    )


class TreeServer:
    """`g2p-registry serve` of one source tree on a fresh database, on 127.0.0.1."""

    def __init__(self, tree: Path, database_url: str, log_path: Path) -> None:
        self.tree, self.database_url, self.log_path = tree, database_url, log_path
        self.password = secrets.token_urlsafe(18)
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{REGISTRY_PATH}"

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
        env.update(
            PYTHONPATH=str(self.tree),
            G2P_DATABASE_URL=self.database_url,
            G2P_ADMIN_PASSWORD=self.password,
            G2P_LOG_LEVEL="WARNING",
        )
        return env

    def command(self, *args: str, stdin: str = "") -> None:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "g2p_registry_server", *args],
            input=stdin.encode(),
            env=self.environment(),
            cwd=self.tree,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} of {self.tree} failed: {done.stderr.decode()[-2000:]}")

    def start(self) -> TreeServer:
        self.command("migrate")
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "g2p_registry_server",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.environment(),
                cwd=self.tree,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if request(f"http://127.0.0.1:{self.port}/healthz")[0] == 200:
                    return self
            if self._process.poll() is not None:
                raise RuntimeError(f"server of {self.tree} exited; see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"server of {self.tree} did not start; see {self.log_path}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=30)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.revisions", description=__doc__)
    parser.add_argument("--revision", required=True, help="the earlier git revision to compare with")
    add_backend_arguments(parser)
    add_load_arguments(parser, rounds=60, requests=60, concurrency=4, time_limit=400)
    return parser


def _registrant(server: TreeServer, admin: str) -> int:
    status, answer = request(
        f"{server.api_url}/individual", method="POST", body=individual(5), authorization=admin
    )
    if status != 200 or not isinstance(answer, dict):
        raise RuntimeError(f"could not create an individual: {status} {answer}")
    return int(answer["id"])


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = load_plan(args)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="g2p-bench-revisions-")))
        databases = stack.enter_context(backend_databases(args, workdir))
        earlier = unpack_revision(args.revision, workdir / "earlier")
        servers = {}
        for label, tree in (("earlier", earlier), ("this tree", ROOT)):
            server = TreeServer(tree, databases.create_empty(), workdir / f"{label.replace(' ', '-')}.log")
            stack.callback(server.stop)
            servers[label] = server.start()
        now = servers["this tree"]
        now.command(
            "create-user",
            "masked",
            "--password-stdin",
            "--scope",
            "registry:read",
            "--scope",
            "bank:read",
            stdin="masked password\n",
        )
        masked = basic_authorization("masked", "masked password")
        scenarios = []
        for label, server in servers.items():
            admin = basic_authorization("admin", server.password)
            read_url = f"{server.api_url}/individual/{_registrant(server, admin)}"
            body = individual_body(5)
            scenarios.append(
                Scenario(f"create, {label}", f"{server.api_url}/individual", "POST", body, admin)
            )
            scenarios.append(Scenario(f"read, full numbers, {label}", read_url, authorization=admin))
            if server is now:
                scenarios.append(Scenario(f"read, masked, {label}", read_url, authorization=masked))
        outcomes = measure_plan(scenarios, plan, progress=lambda line: print(f"  {line}", file=sys.stderr))
    title = (
        f"bench.revisions: this tree against {args.revision}, {args.backend}, 1 worker each, "
        f"password; {plan.describe()}"
    )
    print(report(outcomes, "create, earlier", title=title))
    checks = (
        ("create with 5 accounts", "create, this tree", "create, earlier", CREATE_TARGET),
        (
            "read, masked (scope checks)",
            "read, masked, this tree",
            "read, full numbers, earlier",
            MASKED_READ_TARGET,
        ),
        (
            "read, full numbers (revealed event)",
            "read, full numbers, this tree",
            "read, full numbers, earlier",
            None,
        ),
    )
    for what, name, baseline, target in checks:
        ratio = median_ratio(outcomes, name, baseline)
        verdict = (
            "" if target is None else f" (target >= {target:.2f}: {'met' if ratio >= target else 'NOT met'})"
        )
        print(f"{what}: this tree / earlier = {ratio:.2f}{verdict}")
    return exit_status(outcomes, "the figures are not valid")


if __name__ == "__main__":
    sys.exit(main())
