"""The benchmarks keep working: each runs at its smoke size on the module's backend (the timings
at that size mean nothing; the run checks that both sides produce the same data)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("bench", ["import_bench", "export_bench"])
def test_bench_runs_at_smoke_size(bench, backend, database_factory):
    # database_factory: skips (or fails) the PostgreSQL run as every other test does without a server.
    database_factory  # noqa: B018
    arguments = ["--smoke", "--backend", backend]
    if backend == "postgresql":
        arguments += ["--postgres-url", os.environ["G2P_TEST_POSTGRES_URL"]]
    done = subprocess.run(  # noqa: S603 - our own benchmark, fixed arguments
        [sys.executable, "-m", f"bench.{bench}", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio" in done.stdout
