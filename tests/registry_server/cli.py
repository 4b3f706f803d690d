"""The registry's command line, as tests run it.

`run_cli` runs the command's `main` in the test's own process, with what an operator's shell
gives it: the environment (this database, no extension, cheap password hashes as the test
servers make them, no other `G2P_` variable), standard input, and its own standard output and
error. A command then costs milliseconds instead of a second of interpreter start. `start_cli`
starts a real process (`python -m g2p_registry_server`) for what needs processes: commands
racing each other (`test_cli.py`).
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from unittest import mock

from g2p_registry_server.cli import main
from g2p_registry_server.extensions import installed_extensions

# The setting that enables every installed extension (commands run with none unless told).
EVERY_EXTENSION = {"G2P_EXTENSIONS": ",".join(installed_extensions())}


def cli_environment(database_url: str, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
    # Cheap password hashes, as the test servers make them (`tests.support.live_server`).
    env.update({"G2P_DATABASE_URL": database_url, "G2P_EXTENSIONS": "", "G2P_PASSWORD_HASH_COST": "sandbox"})
    env.update(settings)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "g2p_registry_server", *args]


@contextmanager
def _logging_kept() -> Iterator[None]:
    """The command configures the root logger for its process; the test's is put back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def run_cli(
    database_url: str, *args: str, stdin: str = "", **settings: str
) -> subprocess.CompletedProcess[str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, cli_environment(database_url, **settings), clear=True),
        mock.patch("sys.stdin", io.StringIO(stdin)),
        redirect_stdout(out),
        redirect_stderr(err),
        _logging_kept(),
    ):
        try:
            returncode = main(list(args))
        except SystemExit as exit_:  # argparse refusing the arguments
            returncode = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(command(*args), returncode, out.getvalue(), err.getvalue())


def new_user(database_url: str, name: str, password: str, *scopes: str, **settings: str) -> None:
    """`create-user NAME --password-stdin [--scope S]...` (every scope when none is named),
    asserting that it succeeded."""
    options = [option for scope in scopes for option in ("--scope", scope)]
    created = run_cli(
        database_url, "create-user", name, "--password-stdin", *options, stdin=password + "\n", **settings
    )
    assert created.returncode == 0, created.stderr


def start_cli(database_url: str, *args: str, **settings: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_environment(database_url, **settings),
    )
