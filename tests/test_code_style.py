"""The whole repository stays ruff-clean (lint and format) and the standalone server and the
shared rules type-check with mypy (`[tool.mypy]` in pyproject.toml), as pre-commit enforces
locally."""

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


def test_mypy():
    mypy = Path(sys.executable).parent / "mypy"
    result = subprocess.run([mypy], capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
