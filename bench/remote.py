"""The registry API of running deployments, by URL: this project's standalone server, or Odoo with
OpenG2P's registry API and either this project's bank addon or upstream's. One or more
deployments are measured side by side in one run, on the same requests:

- `GET /individual/{id}` with the user's password, and with an API key when one is given;
- `POST /individual` with 0, 1, 5 and 20 bank accounts (with the API key when given).

    python -m bench.remote --base-url http://127.0.0.1:8069/api/v1/registry \\
        --user admin --password admin [--api-key KEY] [--base-url URL2 ...] [--smoke]

`--base-url` is the API root (where `/individual` lives) and may be repeated, optionally named
(`--base-url ours=URL --base-url upstream=URL2`); `--user`, `--password` and `--api-key` are
given once for all deployments or once per deployment, in the same order. Each deployment gets
its own table (ratios to its GET with the password), then, with several deployments, every
scenario's ratio to the first deployment. Requests that fail are counted and shown, not
hidden: an upstream registry that answers 500 to creates shows as such.

Only run it against deployments you operate: it creates individuals (bounded by the load
options) and sends requests as fast as the deployment answers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .load import (
    Scenario,
    add_load_arguments,
    basic_authorization,
    exit_status,
    load_plan,
    measure_plan,
    median_ratio,
    report,
    request,
)
from .registrants import individual, individual_body

ACCOUNT_COUNTS = (0, 1, 5, 20)
READ_WITH_SECRET = "GET, password"  # noqa: S105 - a scenario name
READ_WITH_KEY = "GET, API key"


@dataclass(frozen=True)
class Deployment:
    label: str
    api_url: str
    user: str
    password: str
    api_key: str | None

    def scenario_names(self) -> list[str]:
        names = [READ_WITH_SECRET] + ([READ_WITH_KEY] if self.api_key else [])
        return names + [post_name(count) for count in ACCOUNT_COUNTS]


def post_name(accounts: int) -> str:
    return f"POST, {accounts} account{'' if accounts == 1 else 's'}"


def _per_deployment(values: list[str] | None, count: int, option: str, *, required: bool) -> list[str | None]:
    if not values:
        if required:
            raise SystemExit(f"{option} is required")
        return [None] * count
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise SystemExit(f"give {option} once, or once per --base-url ({count})")
    return list(values)


def deployments(args: argparse.Namespace) -> list[Deployment]:
    count = len(args.base_url)
    users = _per_deployment(args.user, count, "--user", required=True)
    passwords = _per_deployment(args.password, count, "--password", required=True)
    keys = _per_deployment(args.api_key, count, "--api-key", required=False)
    found = []
    for index, given in enumerate(args.base_url):
        label, separator, url = given.partition("=")
        if not separator or "://" in label:
            label, url = chr(ord("A") + index), given
        found.append(Deployment(label, url.rstrip("/"), users[index], passwords[index], keys[index]))
    if len({deployment.label for deployment in found}) != len(found):
        raise SystemExit("--base-url names must differ")
    return found


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.remote",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base-url", action="append", required=True, help="[NAME=]URL of the API root")
    parser.add_argument("--user", action="append")
    parser.add_argument("--password", action="append")
    parser.add_argument(
        "--api-key", action="append", help="an API key of the user (sent as the Basic password)"
    )
    parser.add_argument(
        "--individual-id",
        type=int,
        action="append",
        help="an individual to read (once, or per deployment); by default one is created",
    )
    add_load_arguments(parser, rounds=5, requests=100, concurrency=2, time_limit=300)
    return parser


def _individual_to_read(deployment: Deployment, given: int | None) -> int:
    if given:
        return given
    status, answer = request(
        f"{deployment.api_url}/individual",
        method="POST",
        body=individual(2),
        authorization=basic_authorization(deployment.user, deployment.password),
    )
    if status != 200 or not isinstance(answer, dict):
        raise SystemExit(
            f"{deployment.label}: could not create an individual to read ({status}); pass --individual-id"
        )
    return answer["id"]


def scenarios_of(deployment: Deployment, individual_id: int) -> list[Scenario]:
    password = basic_authorization(deployment.user, deployment.password)
    writer = basic_authorization(deployment.user, deployment.api_key) if deployment.api_key else password
    read_url = f"{deployment.api_url}/individual/{individual_id}"
    scenarios = [Scenario(f"{deployment.label}: {READ_WITH_SECRET}", read_url, authorization=password)]
    if deployment.api_key:
        scenarios.append(Scenario(f"{deployment.label}: {READ_WITH_KEY}", read_url, authorization=writer))
    scenarios += [
        Scenario(
            f"{deployment.label}: {post_name(count)}",
            f"{deployment.api_url}/individual",
            method="POST",
            body=individual_body(count),
            authorization=writer,
        )
        for count in ACCOUNT_COUNTS
    ]
    return scenarios


def _cross_ratio(outcomes: dict, other: Deployment, first: Deployment, name: str) -> float:
    return median_ratio(outcomes, f"{other.label}: {name}", f"{first.label}: {name}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = load_plan(args)
    targets = deployments(args)
    read_ids = _per_deployment(
        [str(value) for value in args.individual_id or ()], len(targets), "--individual-id", required=False
    )
    scenarios = []
    for deployment, read_id in zip(targets, read_ids, strict=True):
        scenarios += scenarios_of(
            deployment, _individual_to_read(deployment, int(read_id) if read_id else None)
        )
    outcomes = measure_plan(scenarios, plan, progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(f"bench.remote: {plan.describe()}")
    for deployment in targets:
        prefix = f"{deployment.label}: "
        own = {name[len(prefix) :]: outcome for name, outcome in outcomes.items() if name.startswith(prefix)}
        print(report(own, READ_WITH_SECRET, title=f"{deployment.label} = {deployment.api_url}"))
    if len(targets) > 1:
        first = targets[0]
        print(f"throughput ratio of each deployment to {first.label}, same scenario (median of rounds)")
        for name in first.scenario_names():
            row = [
                f"{other.label} {_cross_ratio(outcomes, other, first, name):.2f}"
                for other in targets[1:]
                if name in other.scenario_names()
            ]
            print(f"  {name:<22} " + "  ".join(row))
    return exit_status(outcomes, "see 'unexpected answers' above")


if __name__ == "__main__":
    sys.exit(main())
