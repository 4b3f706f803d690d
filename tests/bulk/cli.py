"""The registry's command line as a real process (bank and bulk extensions enabled, as by default)."""

from __future__ import annotations

import os
import subprocess
import sys

from g2p_registry_server.extensions import installed_extensions
from tests.registry_server import cli as registry_cli


def environment(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
    env["G2P_DATABASE_URL"] = database_url
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "g2p_registry_server", *args]


def run_cli(database_url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        command(*args),
        capture_output=True,
        text=True,
        env=environment(database_url),
        timeout=timeout,
        check=False,
    )


def start_cli(database_url: str, *args: str) -> subprocess.Popen[str]:
    """Started in a session of its own, so that it can be killed with its worker processes."""
    return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(database_url),
        start_new_session=True,
    )


def run_in_process(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command's `main` in this process (`tests.registry_server.cli`), every extension
    enabled: it begins at once, with no interpreter to start, for a command that must run at a
    given moment."""
    return registry_cli.run_cli(database_url, *args, G2P_EXTENSIONS=",".join(installed_extensions()))
