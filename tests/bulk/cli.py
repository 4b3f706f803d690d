"""The registry's command line as a real process, every extension enabled (the import forks
worker processes, which a pytest worker should not do itself); environment and command line as
`tests.registry_server.cli` builds them."""

from __future__ import annotations

import subprocess

from tests.registry_server import cli as registry_cli
from tests.registry_server.cli import EVERY_EXTENSION, command


def _environment(database_url: str) -> dict[str, str]:
    return registry_cli.cli_environment(database_url, **EVERY_EXTENSION)


def run_cli(database_url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        command(*args),
        capture_output=True,
        text=True,
        env=_environment(database_url),
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
        env=_environment(database_url),
        start_new_session=True,
    )


def run_in_process(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command's `main` in this process, every extension enabled: it begins at once, with no
    interpreter to start, for a command that must run at a given moment."""
    return registry_cli.run_cli(database_url, *args, **EVERY_EXTENSION)
