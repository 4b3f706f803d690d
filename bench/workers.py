"""Scaling out: the same server with 1 and with 2 worker processes over one database, side by
side in one run: reads (`GET /individual/{id}`) and creates (`POST /individual` with one bank
account), authenticated with an API key, many connections at once.

    python -m bench.workers [--backends postgresql,sqlite] [--smoke]

PostgreSQL is what several workers (and machines) are for; SQLite is shown for information (it
takes one writer at a time). What 2 workers can gain is bounded by the cores the machine has
left beside the load generator and the database, printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from .common import backend_databases
from .load import (
    LoadPlan,
    Outcome,
    Scenario,
    add_load_arguments,
    load_plan,
    measure_plan,
    report,
    request,
    unexpected_total,
)
from .registrants import individual, individual_body
from .servers import BenchServer, prepare_database

WORKER_COUNTS = (1, 2)
REQUESTS = ("GET /individual/{id}", "POST /individual (1 account)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    parser.add_argument(
        "--backends",
        default="postgresql,sqlite",
        help="comma-separated backends to measure, each on its own database (default postgresql,sqlite)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("G2P_BENCH_POSTGRES_URL") or os.environ.get("G2P_TEST_POSTGRES_URL"),
        help="admin URL of a PostgreSQL server to create a throw-away database on "
        "(default: a private cluster started for the run)",
    )
    add_load_arguments(parser, rounds=5, requests=300, concurrency=8, time_limit=150)
    return parser


def _name(request_name: str, workers: int) -> str:
    return f"{request_name}, {workers} worker{'s' if workers > 1 else ''}"


def _measure_backend(
    args: argparse.Namespace, backend: str, plan: LoadPlan, workdir: Path
) -> dict[str, Outcome]:
    with ExitStack() as stack:
        selection = argparse.Namespace(backend=backend, postgres_url=args.postgres_url)
        databases = stack.enter_context(backend_databases(selection, workdir))
        database_url = databases.create()
        credentials = prepare_database(database_url)
        servers = {
            workers: stack.enter_context(
                BenchServer(
                    database_url, workers=workers, log_path=workdir / f"{backend}-{workers}-workers.log"
                )
            )
            for workers in WORKER_COUNTS
        }
        first = servers[WORKER_COUNTS[0]]
        status, created = request(
            f"{first.api_url}/individual",
            method="POST",
            body=individual(2),
            authorization=credentials.key_authorization,
        )
        if status != 200:
            raise SystemExit(f"could not create the individual to read: {status} {created}")
        scenarios = []
        for workers, server in servers.items():
            scenarios.append(
                Scenario(
                    _name("GET /individual/{id}", workers),
                    f"{server.api_url}/individual/{created['id']}",
                    authorization=credentials.key_authorization,
                )
            )
            scenarios.append(
                Scenario(
                    _name("POST /individual (1 account)", workers),
                    f"{server.api_url}/individual",
                    method="POST",
                    body=individual_body(1),
                    authorization=credentials.key_authorization,
                )
            )
        return measure_plan(
            scenarios, plan, progress=lambda line: print(f"  {backend}: {line}", file=sys.stderr)
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = load_plan(args)
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown or not backends:
        raise SystemExit(f"--backends: sqlite and/or postgresql, not {sorted(unknown) or 'nothing'}")
    failed = False
    print(f"bench.workers: {plan.describe()}; this machine has {os.cpu_count()} CPUs")
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="g2p-bench-workers-") as workdir:
            outcomes = _measure_backend(args, backend, plan, Path(workdir))
        for request_name in REQUESTS:
            subset = {
                _name(request_name, workers): outcomes[_name(request_name, workers)]
                for workers in WORKER_COUNTS
            }
            print(report(subset, _name(request_name, 1), title=f"{backend}: {request_name}"))
        failed = failed or bool(unexpected_total(outcomes))
    if failed:
        print("some requests were not answered as expected: the figures are not valid", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
