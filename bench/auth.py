"""What authentication and scope checks cost a request: `GET /individual/{id}` through the real
server with HTTP Basic and a password (its verification cached), with an API key as the Basic
password, the same request to the same app with its routes' scope checks taken out, and to the
same app with authentication taken out, side by side in one run.

    python -m bench.auth [--backend sqlite|postgresql] [--smoke]

Targets: both authenticated scenarios reach at least 0.8 of the throughput without
authentication; the password scenario at least 0.95 of the same without scope checks (scope
checks add at most 5%). The servers are real processes on 127.0.0.1, one worker each, over one
database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .common import add_backend_arguments
from .load import (
    Scenario,
    add_load_arguments,
    exit_status,
    load_plan,
    measure_plan,
    median_ratio,
    report,
    request,
)
from .registrants import individual
from .servers import BenchServer, local_registry

TARGET = 0.8
BASELINE = "without auth"
SCOPE_CHECKS_TARGET = 0.95
WITHOUT_SCOPE_CHECKS = "password, no scope checks"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.auth", description=__doc__)
    add_backend_arguments(parser)
    add_load_arguments(parser, rounds=60, requests=60, concurrency=4, time_limit=240)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = load_plan(args)
    with local_registry(args, prefix="g2p-bench-auth-") as local:
        credentials, server = local.credentials, local.server
        bare = local.stack.enter_context(
            BenchServer(local.database_url, app="without-auth", log_path=local.workdir / "without-auth.log")
        )
        unchecked = local.stack.enter_context(
            BenchServer(
                local.database_url,
                app="without-scope-checks",
                log_path=local.workdir / "without-scope-checks.log",
            )
        )
        status, created = request(
            f"{server.api_url}/individual",
            method="POST",
            body=individual(2),
            authorization=credentials.password_authorization,
        )
        if status != 200:
            print(f"could not create the individual to read: {status} {created}", file=sys.stderr)
            return 1
        path = f"/individual/{created['id']}"
        scenarios = [
            # The same header everywhere, so that every server parses the same request.
            Scenario(BASELINE, bare.api_url + path, authorization=credentials.password_authorization),
            Scenario(
                "password (cached)", server.api_url + path, authorization=credentials.password_authorization
            ),
            Scenario("API key", server.api_url + path, authorization=credentials.key_authorization),
            Scenario(
                WITHOUT_SCOPE_CHECKS,
                unchecked.api_url + path,
                authorization=credentials.password_authorization,
            ),
        ]
        outcomes = measure_plan(scenarios, plan, progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(
        report(
            outcomes, BASELINE, title=f"bench.auth: GET {path}, {args.backend}, 1 worker; {plan.describe()}"
        )
    )
    ratios = {name: median_ratio(outcomes, name, BASELINE) for name in ("password (cached)", "API key")}
    met = all(ratio >= TARGET for ratio in ratios.values())
    print(
        f"target: authenticated >= {TARGET} of {BASELINE!r}: {'met' if met else 'NOT met'} ("
        + ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items())
        + ")"
    )
    checks = median_ratio(outcomes, "password (cached)", WITHOUT_SCOPE_CHECKS)
    print(
        f"target: password (cached) >= {SCOPE_CHECKS_TARGET} of {WITHOUT_SCOPE_CHECKS!r} (scope checks): "
        f"{'met' if checks >= SCOPE_CHECKS_TARGET else 'NOT met'} ({checks:.2f})"
    )
    return exit_status(outcomes, "the figures are not valid")


if __name__ == "__main__":
    sys.exit(main())
