"""Every benchmark still runs: each at its smoke size (a few requests), the way CI keeps them
working. Timings are printed by the benchmarks, never asserted: only that they ran, measured
every scenario and got the answers they expected."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.wrk import wrk_path

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("G2P_TEST_POSTGRES_URL")


def run_bench(module: str, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("G2P_")}
    finished = subprocess.run(  # noqa: S603 - our own benchmark, fixed arguments
        [sys.executable, "-m", f"bench.{module}", "--smoke", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


def _ratios(output: str) -> dict[str, float]:
    """Scenario name -> the ratio column of every table row."""
    rows = re.findall(r"^(.+?)\s+(\d+\.\d)\s+(\d+\.\d\d)\b", output, flags=re.MULTILINE)
    return {name.strip(): float(ratio) for name, _throughput, ratio in rows}


def test_auth_bench():
    backend = ["--backend", "postgresql", "--postgres-url", POSTGRES_URL] if POSTGRES_URL else []
    output = run_bench("auth", *backend)
    scenarios = {"without auth", "password (cached)", "API key", "password, no scope checks"}
    assert set(_ratios(output)) == scenarios
    assert "target: authenticated >= 0.8" in output
    assert "(scope checks): " in output


def test_bank_accounts_bench():
    output = run_bench("bank_accounts")
    assert set(_ratios(output)) == {"0 accounts", "1 account", "5 accounts", "20 accounts"}
    assert "target: 5 accounts >= 0.8" in output


def test_revisions_bench():
    # Against the checked-out commit itself: the same code on both sides, which proves the tool works.
    output = run_bench("revisions", "--revision", "HEAD")
    assert {"create, earlier", "create, this tree", "read, masked, this tree"} <= set(_ratios(output))
    assert "create with 5 accounts: this tree / earlier" in output


def test_workers_bench():
    output = run_bench("workers", "--backends", "sqlite")
    ratios = _ratios(output)
    assert {"GET /individual/{id}, 2 workers", "POST /individual (1 account), 2 workers"} <= set(ratios)


def test_remote_bench_against_a_deployment_by_url(deployment):
    server, credentials = deployment
    output = run_bench(
        "remote",
        *("--base-url", f"first={server.api_url}", "--base-url", f"second={server.api_url}/"),
        # `--option=value`: a generated password may begin with "-", which argparse takes for an option.
        f"--user={credentials.user}",
        f"--password={credentials.password}",
        f"--api-key={credentials.api_key}",
    )
    ratios = _ratios(output)
    assert {"GET, password", "GET, API key", "POST, 0 accounts", "POST, 20 accounts"} <= set(ratios)
    assert re.search(r"^  POST, 5 accounts\s+second \d+\.\d\d$", output, flags=re.MULTILINE), output


@pytest.mark.skipif(wrk_path() is None, reason="wrk is not installed")
def test_remote_bench_with_wrk_as_the_client(deployment):
    server, credentials = deployment
    output = run_bench(
        "remote",
        *("--base-url", f"ours={server.api_url}", "--client", "wrk"),
        f"--user={credentials.user}",
        f"--password={credentials.password}",
    )
    assert "1 s of wrk per scenario" in output
    ratios = _ratios(output)
    assert {"GET, password", "POST, 0 accounts", "POST, 20 accounts", "PUT update, 5 accounts"} <= set(ratios)


def test_concurrency_bench():
    backend = ["--backends", "postgresql", "--postgres-url", POSTGRES_URL] if POSTGRES_URL else []
    output = run_bench("concurrency", *backend)
    rows = re.findall(r"^(sqlite|postgresql)\s+([12])\s+(.+?)\s+(\d+)\s+[\d.]+\s", output, flags=re.MULTILINE)
    cells = {(workers, scenario.strip(), int(clients)) for _backend, workers, scenario, clients in rows}
    scenarios = {"floor", "GET individual", "POST individual (5 accounts)"}
    # The GET's statements alone, a reference, are measured sequentially and with 16 clients.
    references = {(w, "GET's statements alone", 1) for w in "12"}
    assert cells == {(w, s, c) for w in "12" for s in scenarios for c in (1, 4)} | references, output
    assert "met     no failed request" in output
    assert re.search(r"limit .* the GET's statements alone take [\d.]+x the floor's time", output), output
    assert re.search(r"^targets: \d+ of \d+ met$", output, flags=re.MULTILINE)


def test_the_app_without_scope_checks_checks_credentials_but_no_scope(tmp_path):
    """bench.auth's baseline for scope checks: a caller holding no scope is refused by the real
    app (403) and served by this one; wrong credentials are refused by both."""
    from bench.load import basic_authorization, request
    from bench.servers import BenchServer, prepare_database
    from g2p_registry_server.auth.passwords import SANDBOX_COST
    from g2p_registry_server.auth.service import create_user
    from g2p_registry_server.db import make_engine, make_sessionmaker

    database_url = f"sqlite:///{tmp_path / 'scopes.db'}"
    prepare_database(database_url)
    engine = make_engine(database_url)
    with make_sessionmaker(engine, write=True)() as session, session.begin():
        create_user(
            session,
            username="nobody",
            password="nobody's password",  # noqa: S106
            scopes=(),
            hash_cost=SANDBOX_COST,
        )
    engine.dispose()
    nobody = basic_authorization("nobody", "nobody's password")
    wrong = basic_authorization("nobody", "not the password")
    statuses = {}
    for app in ("registry", "without-scope-checks"):
        with BenchServer(database_url, app=app, log_path=tmp_path / f"{app}.log") as server:
            statuses[app] = (
                request(f"{server.api_url}/individual/1", authorization=nobody)[0],
                request(f"{server.api_url}/individual/1", authorization=wrong)[0],
            )
    # 400: upstream's answer for a registrant that is not there (the database has none).
    assert statuses == {"registry": (403, 401), "without-scope-checks": (400, 401)}
