"""Load generation and the side-by-side measurement every benchmark uses.

Scenarios are measured in interleaved rounds: each round runs every scenario once, in an order
rotated from round to round, so that a slow spell of a noisy machine hits them all alike.
Each scenario's figure is its median throughput over the rounds, and each ratio is the median
of the per-round ratios to the baseline scenario. The load is bounded: a fixed number of
requests per round, and no new round once the time limit has passed.

The client is the standard library's http.client on keep-alive connections (one per thread,
opened before the round's clock starts): its cost per request is small beside the server's, so
that the figures are the server's, until the server is fast enough for the client's own GIL to
cap it (about 500 requests/s on two cores). `--client wrk` then measures with wrk (one C thread,
keep-alive connections; `bench/wrk.py`): each round lasts `--seconds` instead of a number of
requests. Servers are only ever reached on the URLs given.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import functools
import http.client
import json
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .wrk import run_wrk, wrk_path


def basic_authorization(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str  # absolute, query included
    method: str = "GET"
    body: bytes | None = None
    authorization: str | None = None
    expect: frozenset[int] = frozenset({200})

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        if self.authorization:
            headers["Authorization"] = self.authorization
        return headers


@dataclass
class Outcome:
    """All rounds of one scenario."""

    throughputs: list[float] = field(default_factory=list)
    unexpected: Counter[str] = field(default_factory=Counter)
    requests: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.throughputs) if self.throughputs else 0.0


def open_connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=60)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def run_round(scenario: Scenario, *, requests: int, concurrency: int) -> tuple[float, Counter[str], int]:
    """Send `requests` requests over `concurrency` connections; (seconds, unexpected answers, done)."""
    shares = [
        requests // concurrency + (1 if index < requests % concurrency else 0) for index in range(concurrency)
    ]
    shares = [share for share in shares if share]
    start = threading.Barrier(len(shares) + 1)
    unexpected: Counter[str] = Counter()
    done = [0] * len(shares)
    lock = threading.Lock()
    headers, path = scenario.headers(), request_target(scenario.url)

    def work(slot: int, count: int) -> None:
        connection = open_connection(scenario.url)
        try:
            connection.connect()
            start.wait()
            for _ in range(count):
                try:
                    connection.request(scenario.method, path, body=scenario.body, headers=headers)
                    answer = connection.getresponse()
                    answer.read()
                    status = str(answer.status)
                    if answer.status in scenario.expect:
                        status = ""
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                    connection.close()
                if status:
                    with lock:
                        unexpected[status] += 1
                done[slot] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(slot, count)) for slot, count in enumerate(shares)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, unexpected, sum(done)


def run_wrk_round(scenario: Scenario, *, seconds: int, concurrency: int) -> tuple[float, Counter[str], int]:
    """`concurrency` keep-alive connections for `seconds`, from wrk; as `run_round` answers."""
    figures = run_wrk(
        scenario.url,
        clients=concurrency,
        seconds=seconds,
        authorization=scenario.authorization,
        body=scenario.body,
        method=scenario.method,
    )
    unexpected = Counter({"non-2xx or socket error": figures.errors}) if figures.errors else Counter()
    elapsed = figures.requests / figures.per_second if figures.per_second else float(seconds)
    return elapsed, unexpected, figures.requests


RoundRunner = Callable[[Scenario], tuple[float, Counter[str], int]]


def round_ratios(outcomes: dict[str, Outcome], name: str, baseline: str) -> list[float]:
    """Per-round throughput ratios of `name` to `baseline` (same round, side by side)."""
    return [
        value / reference
        for value, reference in zip(outcomes[name].throughputs, outcomes[baseline].throughputs, strict=True)
        if reference
    ]


def median_ratio(outcomes: dict[str, Outcome], name: str, baseline: str) -> float:
    ratios = round_ratios(outcomes, name, baseline)
    return statistics.median(ratios) if ratios else 0.0


def report(outcomes: dict[str, Outcome], baseline: str, *, title: str) -> str:
    """A table: median throughput of each scenario and its ratio to the baseline."""
    width = max(len(name) for name in outcomes) + 2
    lines = [
        title,
        f"{'scenario':<{width}}{'median req/s':>14}  ratio to {baseline!r} (median of rounds; min-max)",
    ]
    for name, outcome in outcomes.items():
        ratios = round_ratios(outcomes, name, baseline)
        spread = f"({min(ratios):.2f}-{max(ratios):.2f})" if ratios and name != baseline else ""
        errors = f"  unexpected answers: {dict(outcome.unexpected)}" if outcome.unexpected else ""
        ratio = median_ratio(outcomes, name, baseline)
        lines.append(f"{name:<{width}}{outcome.median:>14.1f}  {ratio:>5.2f} {spread}{errors}")
    return "\n".join(lines)


def unexpected_total(outcomes: dict[str, Outcome]) -> int:
    return sum(sum(outcome.unexpected.values()) for outcome in outcomes.values())


def exit_status(outcomes: dict[str, Outcome], why: str) -> int:
    """A benchmark's exit status: 1, saying why, when any request was not answered as expected."""
    if unexpected_total(outcomes):
        print(f"some requests were not answered as expected: {why}", file=sys.stderr)
        return 1
    return 0


PYTHON_CLIENT, WRK_CLIENT = "python", "wrk"


@dataclass(frozen=True)
class LoadPlan:
    rounds: int
    requests: int
    concurrency: int
    time_limit: float
    warmup: int
    client: str = PYTHON_CLIENT
    seconds: int = 3  # a round's length with wrk

    def describe(self) -> str:
        per_round = f"{self.seconds} s of wrk" if self.client == WRK_CLIENT else f"{self.requests} requests"
        return (
            f"{self.rounds} interleaved rounds x {per_round} per scenario, "
            f"{self.concurrency} connections, time limit {self.time_limit:.0f} s"
        )

    def round_runner(self) -> RoundRunner:
        if self.client == WRK_CLIENT:
            return functools.partial(run_wrk_round, seconds=self.seconds, concurrency=self.concurrency)
        return functools.partial(run_round, requests=self.requests, concurrency=self.concurrency)


SMOKE = LoadPlan(rounds=2, requests=6, concurrency=2, time_limit=5.0, warmup=2)


def add_load_arguments(
    parser: argparse.ArgumentParser, *, rounds: int, requests: int, concurrency: int, time_limit: float
) -> None:
    group = parser.add_argument_group("load (bounded in count and time)")
    group.add_argument("--rounds", type=int, default=rounds, help=f"interleaved rounds (default {rounds})")
    group.add_argument(
        "--requests", type=int, default=requests, help=f"requests per scenario and round (default {requests})"
    )
    group.add_argument(
        "--concurrency", type=int, default=concurrency, help=f"connections at once (default {concurrency})"
    )
    group.add_argument(
        "--time-limit",
        type=float,
        default=time_limit,
        help=f"seconds after which no new round starts (default {time_limit:.0f})",
    )
    group.add_argument(
        "--client",
        choices=(PYTHON_CLIENT, WRK_CLIENT),
        default=PYTHON_CLIENT,
        help="the load's client: http.client threads (default), or wrk where they would cap the server",
    )
    group.add_argument(
        "--seconds", type=int, default=3, help="a round's length with --client wrk (default 3)"
    )
    group.add_argument("--smoke", action="store_true", help="a tiny run that only proves the benchmark works")


def load_plan(args: argparse.Namespace) -> LoadPlan:
    if args.client == WRK_CLIENT and wrk_path() is None:
        raise SystemExit("--client wrk: wrk is not installed (Debian package `wrk`)")
    if args.seconds < 1:
        raise SystemExit("--seconds must be at least 1")
    if args.smoke:
        return dataclasses.replace(SMOKE, client=args.client, seconds=1)
    for name in ("rounds", "requests", "concurrency"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name} must be at least 1")
    return LoadPlan(
        args.rounds,
        args.requests,
        args.concurrency,
        args.time_limit,
        warmup=20,
        client=args.client,
        seconds=args.seconds,
    )


def measure_plan(
    scenarios: Sequence[Scenario], plan: LoadPlan, *, progress: Callable[[str], None] | None = None
) -> dict[str, Outcome]:
    run = plan.round_runner()
    outcomes = {scenario.name: Outcome() for scenario in scenarios}
    for scenario in scenarios:
        # Warm caches, pools and code paths; not counted.
        run_round(scenario, requests=plan.warmup, concurrency=min(plan.concurrency, plan.warmup))
    began = time.monotonic()
    for round_index in range(plan.rounds):
        if round_index and time.monotonic() - began > plan.time_limit:
            if progress:
                progress(f"time limit reached after {round_index} rounds")
            break
        shift = round_index % len(scenarios)
        for scenario in [*scenarios[shift:], *scenarios[:shift]]:
            seconds, unexpected, done = run(scenario)
            outcome = outcomes[scenario.name]
            outcome.throughputs.append(done / seconds)
            outcome.unexpected.update(unexpected)
            outcome.requests += done
        if progress:
            progress(f"round {round_index + 1}/{plan.rounds} done")
    return outcomes


def request(
    url: str, *, method: str = "GET", body: object = None, authorization: str | None = None
) -> tuple[int, object]:
    """One request outside the measurements (setting up data): (status, decoded JSON or text)."""
    connection = open_connection(url)
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    try:
        payload = None if body is None else json.dumps(body).encode()
        connection.request(method, request_target(url), payload, headers)
        answer = connection.getresponse()
        text = answer.read().decode("utf-8", "replace")
    finally:
        connection.close()
    try:
        return answer.status, json.loads(text)
    except ValueError:
        return answer.status, text
