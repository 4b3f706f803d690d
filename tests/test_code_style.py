"""The whole repository stays ruff-clean (lint and format), as pre-commit enforces locally."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command: list[str]):
    result = subprocess.run([RUFF, *command, "."], capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
