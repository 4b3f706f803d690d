"""Running the registry's command line as a subprocess, the way operators run it."""

from __future__ import annotations

import os
import subprocess
import sys


def cli_environment(database_url: str, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
    # Cheap password hashes, as the test servers make them (`tests.support.live_server`).
    env.update({"G2P_DATABASE_URL": database_url, "G2P_EXTENSIONS": "", "G2P_PASSWORD_HASH_COST": "sandbox"})
    env.update(settings)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "g2p_registry_server", *args]


def run_cli(
    database_url: str, *args: str, stdin: str = "", **settings: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_environment(database_url, **settings),
        timeout=120,
        check=False,
    )


def start_cli(database_url: str, *args: str, **settings: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_environment(database_url, **settings),
    )
