"""The concurrency sweep: 1, 4, 16 and 64 keep-alive clients against 1 and 2 worker processes,
on SQLite and on PostgreSQL, side by side in one run with the floor (the same serving stack
answering a constant: `bench.serving --app floor`).

    python -m bench.concurrency [--backends sqlite,postgresql] [--clients 1,4,16,64]
                                [--rounds 3] [--seconds 3] [--requests-per-worker N]
                                [--check-targets] [--smoke]

Scenarios: the floor (`GET`), `GET /individual/{id}` with a remembered password (an individual
with 2 accounts), and `POST /individual` with 5 accounts; beside them, with 1 and 16 clients, the
GET's own statements replayed on the floor (`bench.serving --app statements`): what the GET's
database work costs on this stack with none of the registry's code, the limit of what any code
on it could reach. Every cell is measured once per round,
rounds interleaved so that a slow spell of a noisy machine hits every cell alike; each figure is
the median over the rounds. Load from wrk (`bench/wrk.py`), on 127.0.0.1 only. Beside each
cell's throughput, the server's CPU time per request (its processes' user and system time over
the cell, from /proc): on a shared machine whose speed wanders, the steadier figure of what a
request costs.

Targets (`--check-targets` exits 1 when one is missed):
- keep-alive: 2 workers answer one client within 1.25x the median latency of 1 worker;
- scaling: on 2 workers, 4 and 16 clients get at least 1.6x the sequential throughput (GET and
  create); on 1 worker, no client count falls below sequential;
- floor: sequential on 1 worker, GET within 2x the floor's time per request, create within 3x;
- scale: PostgreSQL, 2 workers, 16 clients: 400 creates/s and 2,000 GETs/s;
- tails and errors: p99 under 10x p50 at 16 clients and more (a connection starved of turns
  shows there: on uvloop, with the work in the loop's thread, p99 was 30x p50 at 64 clients); no
  request fails.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .common import backend_databases
from .load import request
from .registrants import individual, individual_body
from .servers import BenchServer, Credentials, prepare_database
from .serving import AUTHORIZATION, FLOOR_PATH, STATEMENTS_OF
from .wrk import WrkFigures, run_wrk, wrk_path

FLOOR, GET, CREATE = "floor", "GET individual", "POST individual (5 accounts)"
STATEMENTS = "GET's statements alone"
TARGETED = (FLOOR, GET, CREATE)
SCENARIOS = (*TARGETED, STATEMENTS)
# The replayed statements are a reference, measured where the targets compare: sequential, and
# 16 clients (the scale targets).
STATEMENTS_CLIENTS = (1, 16)
WORKER_COUNTS = (1, 2)
KEEPALIVE_RATIO, SCALING_RATIO, TAIL_RATIO = 1.25, 1.6, 10.0
FLOOR_RATIOS = {GET: 2.0, CREATE: 3.0}
SCALE_TARGETS = {GET: 2000.0, CREATE: 400.0}  # req/s, PostgreSQL, 2 workers, 16 clients


@dataclass(frozen=True)
class Cell:
    backend: str
    workers: int
    scenario: str
    clients: int


@dataclass(frozen=True)
class Target:
    passed: bool
    text: str


@dataclass(frozen=True)
class Load:
    server: BenchServer
    url: str
    authorization: str | None = None
    body: bytes | None = None


@dataclass(frozen=True)
class Measured:
    figures: WrkFigures
    cpu_ms_per_request: float


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", default="1,4,16,64", help="comma-separated client counts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="duration of each cell in each round")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("G2P_BENCH_POSTGRES_URL") or os.environ.get("G2P_TEST_POSTGRES_URL"),
        help="admin URL of a PostgreSQL server for a throw-away database (default: a private cluster)",
    )
    parser.add_argument(
        "--requests-per-worker",
        type=int,
        help="the registry servers' G2P_REQUESTS_PER_WORKER (default: the server's own default)",
    )
    parser.add_argument("--check-targets", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--smoke", action="store_true", help="a tiny run: 1 and 4 clients, 1 round of 1 s")
    return parser


@contextlib.contextmanager
def _backend_loads(args: argparse.Namespace, backend: str, workdir: Path) -> Iterator[dict[tuple, Load]]:
    """Servers with 1 and 2 workers, and the floor with as many, over a fresh database; the load
    of each (workers, scenario)."""
    with contextlib.ExitStack() as stack:
        selection = argparse.Namespace(backend=backend, postgres_url=args.postgres_url)
        database_url = stack.enter_context(backend_databases(selection, workdir)).create()
        credentials: Credentials = prepare_database(database_url)
        authorization = credentials.password_authorization
        loads: dict[tuple, Load] = {}
        environment = {}
        if args.requests_per_worker is not None:
            environment["G2P_REQUESTS_PER_WORKER"] = str(args.requests_per_worker)
        for workers in WORKER_COUNTS:
            log = workdir / f"{backend}-{workers}"
            server = stack.enter_context(
                BenchServer(
                    database_url,
                    workers=workers,
                    log_path=log.with_suffix(".registry.log"),
                    environment=environment,
                )
            )
            floor = stack.enter_context(
                BenchServer(
                    database_url, workers=workers, app="floor", log_path=log.with_suffix(".floor.log")
                )
            )
            status, created = request(
                f"{server.api_url}/individual", method="POST", body=individual(2), authorization=authorization
            )
            if status != 200:
                raise SystemExit(f"could not create the individual to read: {status} {created}")
            path = f"/individual/{created['id']}"
            statements = stack.enter_context(
                BenchServer(
                    database_url,
                    workers=workers,
                    app="statements",
                    log_path=log.with_suffix(".statements.log"),
                    environment={STATEMENTS_OF: path, AUTHORIZATION: authorization},
                )
            )
            loads[workers, FLOOR] = Load(floor, floor.base_url + FLOOR_PATH)
            loads[workers, STATEMENTS] = Load(statements, statements.base_url + FLOOR_PATH)
            loads[workers, GET] = Load(server, server.api_url + path, authorization)
            loads[workers, CREATE] = Load(
                server, f"{server.api_url}/individual", authorization, individual_body(5)
            )
        yield loads


def _measure_cell(load: Load, clients: int, seconds: int) -> Measured:
    cpu_before = load.server.cpu_seconds()
    figures = run_wrk(
        load.url, clients=clients, seconds=seconds, authorization=load.authorization, body=load.body
    )
    cpu = load.server.cpu_seconds() - cpu_before
    return Measured(figures, 1000 * cpu / figures.requests if figures.requests else 0.0)


def measure(args: argparse.Namespace, backends: list[str], clients: list[int]) -> dict[Cell, list[Measured]]:
    results: dict[Cell, list[Measured]] = defaultdict(list)
    for backend in backends:
        with (
            tempfile.TemporaryDirectory(prefix="g2p-bench-concurrency-") as workdir,
            _backend_loads(args, backend, Path(workdir)) as loads,
        ):
            cells = [
                Cell(backend, workers, scenario, count)
                for workers in WORKER_COUNTS
                for scenario in SCENARIOS
                for count in clients
                if scenario != STATEMENTS or count in STATEMENTS_CLIENTS
            ]
            for round_number in range(args.rounds):
                # Rotated each round, so that no cell always runs after the same neighbour.
                shift = round_number * len(cells) // max(args.rounds, 1)
                for cell in cells[shift:] + cells[:shift]:
                    load = loads[cell.workers, cell.scenario]
                    results[cell].append(_measure_cell(load, cell.clients, args.seconds))
                print(f"  {backend}: round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    return results


@dataclass(frozen=True)
class Summary:
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float


def summarize(results: dict[Cell, list[Measured]]) -> dict[Cell, Summary]:
    return {
        cell: Summary(
            statistics.median(m.figures.per_second for m in measured),
            statistics.median(m.figures.p50_ms for m in measured),
            statistics.median(m.figures.p99_ms for m in measured),
            sum(m.figures.errors for m in measured),
            statistics.median(m.cpu_ms_per_request for m in measured),
        )
        for cell, measured in results.items()
    }


def table(summary: dict[Cell, Summary]) -> str:
    lines = [
        f"{'backend':<11}{'workers':>8}  {'scenario':<30}{'clients':>8}{'req/s':>10}{'x seq':>7}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'cpu ms/req':>12}"
    ]
    for cell, figures in summary.items():
        sequential = summary.get(Cell(cell.backend, cell.workers, cell.scenario, 1))
        scale = figures.per_second / sequential.per_second if sequential and sequential.per_second else 0.0
        lines.append(
            f"{cell.backend:<11}{cell.workers:>8}  {cell.scenario:<30}{cell.clients:>8}"
            f"{figures.per_second:>10.1f}{scale:>7.2f}{figures.p50_ms:>9.2f}{figures.p99_ms:>9.2f}"
            f"{figures.errors:>8}{figures.cpu_ms_per_request:>12.2f}"
        )
    return "\n".join(lines)


def _rate(
    summary: dict[Cell, Summary], backend: str, workers: int, scenario: str, clients: int
) -> float | None:
    figures = summary.get(Cell(backend, workers, scenario, clients))
    return figures.per_second if figures else None


def targets(summary: dict[Cell, Summary]) -> list[Target]:
    found: list[Target] = []
    by = summary.get
    backends = sorted({cell.backend for cell in summary})
    for backend in backends:
        rate = functools.partial(_rate, summary, backend)

        for scenario in TARGETED:
            one, two = by(Cell(backend, 1, scenario, 1)), by(Cell(backend, 2, scenario, 1))
            if one and two and one.p50_ms > 0:
                ratio = two.p50_ms / one.p50_ms
                found.append(
                    Target(
                        ratio <= KEEPALIVE_RATIO,
                        f"{backend} {scenario}: keep-alive latency 2 vs 1 worker {ratio:.2f}x "
                        f"(p50 {two.p50_ms:.2f} vs {one.p50_ms:.2f} ms; <= {KEEPALIVE_RATIO})",
                    )
                )
        for scenario in (GET, CREATE):
            sequential = rate(2, scenario, 1)
            for clients in (4, 16):
                concurrent = rate(2, scenario, clients)
                if sequential and concurrent:
                    gain = concurrent / sequential
                    found.append(
                        Target(
                            gain >= SCALING_RATIO,
                            f"{backend} {scenario}: 2 workers, {clients} clients {gain:.2f}x sequential "
                            f"(>= {SCALING_RATIO})",
                        )
                    )
            single = rate(1, scenario, 1)
            for cell in summary:
                if (cell.backend, cell.workers, cell.scenario) == (backend, 1, scenario) and single:
                    gain = summary[cell].per_second / single
                    if cell.clients > 1:
                        found.append(
                            Target(
                                gain >= 1.0,
                                f"{backend} {scenario}: 1 worker, {cell.clients} clients {gain:.2f}x "
                                "sequential (>= 1.0)",
                            )
                        )
            floor, measured = rate(1, FLOOR, 1), rate(1, scenario, 1)
            if floor and measured:
                times = floor / measured
                found.append(
                    Target(
                        times <= FLOOR_RATIOS[scenario],
                        f"{backend} {scenario}: sequential, 1 worker, {times:.2f}x the floor's time "
                        f"per request (<= {FLOOR_RATIOS[scenario]})",
                    )
                )
            scale = rate(2, scenario, 16)
            if backend == "postgresql" and scale is not None:
                found.append(
                    Target(
                        scale >= SCALE_TARGETS[scenario],
                        f"{backend} {scenario}: 2 workers, 16 clients {scale:.0f} req/s "
                        f"(>= {SCALE_TARGETS[scenario]:.0f})",
                    )
                )
    for cell, figures in summary.items():
        if cell.clients >= 16 and cell.scenario in (GET, CREATE):
            found.append(
                Target(
                    figures.p99_ms <= TAIL_RATIO * figures.p50_ms,
                    f"{cell.backend} {cell.scenario}, {cell.workers} worker(s), {cell.clients} clients: p99 "
                    f"{figures.p99_ms:.1f} ms vs p50 {figures.p50_ms:.1f} ms (<= {TAIL_RATIO:.0f}x)",
                )
            )
    # A cell that got no answer at all within its time failed too (a stalled server).
    failed = [cell for cell, figures in summary.items() if figures.errors or not figures.per_second]
    found.append(
        Target(
            not failed,
            "no failed request" if not failed else f"failed or unanswered requests in {len(failed)} cells",
        )
    )
    return found


def limits(summary: dict[Cell, Summary]) -> list[str]:
    """What the GET's statements alone reach, beside the GET and its targets: no code on this
    stack that sends those statements can do better."""
    lines = []
    for backend in sorted({cell.backend for cell in summary}):
        rate = functools.partial(_rate, summary, backend)

        floor, alone, get = rate(1, FLOOR, 1), rate(1, STATEMENTS, 1), rate(1, GET, 1)
        if floor and alone and get:
            lines.append(
                f"{backend}: sequential, 1 worker, the GET's statements alone take {floor / alone:.2f}x the "
                f"floor's time per request, the GET {floor / get:.2f}x (target {FLOOR_RATIOS[GET]}x)"
            )
        alone, get = rate(2, STATEMENTS, 16), rate(2, GET, 16)
        if alone and get:
            lines.append(
                f"{backend}: 2 workers, 16 clients, the GET's statements alone {alone:.0f} req/s, the GET "
                f"{get:.0f} (target on PostgreSQL {SCALE_TARGETS[GET]:.0f})"
            )
    return lines


def _split(text: str, convert: Callable[[str], object]) -> list:
    return [convert(part.strip()) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.smoke:
        args.clients, args.rounds, args.seconds = "1,4", 1, 1
        if args.backends == "sqlite,postgresql" and not args.postgres_url:
            args.backends = "sqlite"
    backends, clients = _split(args.backends, str), sorted(set(_split(args.clients, int)))
    if set(backends) - {"sqlite", "postgresql"} or not backends or 1 not in clients:
        raise SystemExit("--backends: sqlite and/or postgresql; --clients must include 1")
    if wrk_path() is None:
        raise SystemExit("wrk is not installed (Debian package `wrk`): apt-get install wrk")
    print(
        f"bench.concurrency: {args.rounds} round(s) of {args.seconds} s per cell, clients {clients}, "
        f"workers {list(WORKER_COUNTS)}, {os.cpu_count()} CPUs (load generator and database included)"
    )
    summary = summarize(measure(args, backends, clients))
    print(table(summary))
    checked = targets(summary)
    for target in checked:
        print(f"  {'met    ' if target.passed else 'NOT met'} {target.text}")
    missed = [target for target in checked if not target.passed]
    print(f"targets: {len(checked) - len(missed)} of {len(checked)} met")
    for line in limits(summary):
        print(f"  limit   {line}")
    return 1 if args.check_targets and missed else 0


if __name__ == "__main__":
    sys.exit(main())
