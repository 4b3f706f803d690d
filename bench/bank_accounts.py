"""What bank accounts cost a create: `POST /individual` with 0, 1, 5 and 20 accounts (valid IBANs,
known banks), side by side in one run, through the real server authenticated with an API key.

    python -m bench.bank_accounts [--backend sqlite|postgresql] [--smoke]

Target: with 5 accounts, at least 0.8 of the throughput with none. The statements each request
sends are counted by a test (tests/bank_server/test_statement_counts.py), not here.
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
from .registrants import ACCOUNT_COUNTS, individual, individual_body
from .servers import local_registry

TARGET = 0.8


def scenario_name(accounts: int) -> str:
    return f"{accounts} account{'' if accounts == 1 else 's'}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.bank_accounts", description=__doc__)
    add_backend_arguments(parser)
    add_load_arguments(parser, rounds=7, requests=150, concurrency=4, time_limit=120)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = load_plan(args)
    with local_registry(args, prefix="g2p-bench-bank-") as local:
        credentials, server = local.credentials, local.server
        url = f"{server.api_url}/individual"
        # The banks exist before the clock starts, as in a registry in use.
        status, answer = request(
            url,
            method="POST",
            body=individual(max(ACCOUNT_COUNTS)),
            authorization=credentials.key_authorization,
        )
        if status != 200:
            print(f"could not create the first individual: {status} {answer}", file=sys.stderr)
            return 1
        scenarios = [
            Scenario(
                scenario_name(count),
                url,
                method="POST",
                body=individual_body(count),
                authorization=credentials.key_authorization,
            )
            for count in ACCOUNT_COUNTS
        ]
        outcomes = measure_plan(scenarios, plan, progress=lambda line: print(f"  {line}", file=sys.stderr))
    baseline = scenario_name(0)
    title = f"bench.bank_accounts: POST /individual, {args.backend}, 1 worker, API key; {plan.describe()}"
    print(report(outcomes, baseline, title=title))
    ratio = median_ratio(outcomes, scenario_name(5), baseline)
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"target: 5 accounts >= {TARGET} of {baseline!r}: {verdict} ({ratio:.2f})")
    return exit_status(outcomes, "the figures are not valid")


if __name__ == "__main__":
    sys.exit(main())
