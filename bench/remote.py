"""The registry API of running deployments, by URL: this project's standalone server, or Odoo with
OpenG2P's registry API and either this project's bank addon or upstream's. One or more
deployments are measured side by side in one run, on the same requests:

- `GET /individual/{id}` with the user's password, and with an API key when one is given;
- `POST /individual` with 0, 1, 5 and 20 bank accounts;
- `PUT /update_individual` of an existing individual with 0, 1, 5 and 20 bank accounts, the
  same body again and again (a client re-sending a registrant's current accounts); each account
  count updates its own individual unless one ID is given for all. With several connections
  (`--concurrency`), they update that individual at once, as no real client does: Odoo then
  fails the colliding transactions and retries them after a pause, so measure updates on Odoo
  with `--concurrency 1`.

Writes use the API key when the deployment has one, else the password. A deployment that
remembers verified passwords for a while (this project's addon and server: 60 s per worker
process) checks the password again in each round that starts after that: keep rounds shorter
(`--requests`) to measure the remembered password alone.

    python -m bench.remote --base-url ours=http://127.0.0.1:8069/api/v1/registry \\
        --base-url upstream=http://127.0.0.1:8070/api/v1/registry \\
        --user admin --password admin --api-key ours=KEY \\
        [--individual-id upstream=7] [--update-id upstream=U-0,U-1,U-5,U-20] [--smoke]

`--base-url` is the API root (where `/individual` lives). Individuals to read and to update are
created through the API unless given (`--individual-id`, `--update-id` with `--id-type`); where
creating fails, as `POST /individual` does on upstream's released registry, the run says so and
goes on without the scenarios that needed them. Each deployment gets its own table (ratios to
its GET with the password), then, with several deployments, every scenario's ratio to the first
deployment. Requests that fail are counted and shown with a sample answer, not hidden, and make
the exit status 1.

Only run it against deployments you operate: it creates individuals (bounded by the load
options) and sends requests as fast as the deployment answers.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Sequence
from urllib.parse import quote

from .load import (
    Outcome,
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
from .registrants import ACCOUNT_COUNTS, bank_accounts, individual, individual_body
from .remote_deployments import Deployment, add_deployment_arguments, deployments

READ_WITH_SECRET = "GET, password"  # noqa: S105 - a scenario name
READ_WITH_KEY = "GET, API key"


def _accounts(count: int) -> str:
    return f"{count} account{'' if count == 1 else 's'}"


def post_name(accounts: int) -> str:
    return f"POST, {_accounts(accounts)}"


def update_name(accounts: int) -> str:
    return f"PUT update, {_accounts(accounts)}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.remote",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_deployment_arguments(parser)
    add_load_arguments(parser, rounds=5, requests=100, concurrency=2, time_limit=300)
    return parser


def _answer_text(status: int, answer: object) -> str:
    text = answer if isinstance(answer, str) else json.dumps(answer)
    return f"{status} {text[:160]}"


def _create(deployment: Deployment, body: dict) -> tuple[int | None, str]:
    """(id, "") of a new individual, or (None, the answer) when the deployment refused it."""
    status, answer = request(
        f"{deployment.api_url}/individual",
        method="POST",
        body=body,
        authorization=basic_authorization(deployment.user, deployment.password),
    )
    if status == 200 and isinstance(answer, dict) and isinstance(answer.get("id"), int):
        return answer["id"], ""
    return None, _answer_text(status, answer)


def individual_to_read(deployment: Deployment) -> int:
    if deployment.individual_id:
        return deployment.individual_id
    created, refusal = _create(deployment, individual(2))
    if created is None:
        raise SystemExit(
            f"{deployment.label}: POST /individual answered {refusal}: no individual to read; "
            f"pass --individual-id {deployment.label}=ID"
        )
    return created


def individuals_to_update(deployment: Deployment) -> tuple[tuple[str, ...] | None, str]:
    """The ID value of the individual each account count updates, or None and why there is none."""
    if deployment.update_ids:
        return deployment.update_ids, ""
    run = secrets.token_hex(4)
    ids = []
    for count in ACCOUNT_COUNTS:
        value = f"bench-{run}-{count}"
        body = {**individual(0), "ids": [{"id_type": deployment.id_type, "value": value}]}
        created, refusal = _create(deployment, body)
        if created is None:
            return None, (
                f"creating an individual to update: POST /individual answered {refusal}; "
                f"pass --update-id {deployment.label}=ID (an individual with a {deployment.id_type!r} ID)"
            )
        ids.append(value)
    return tuple(ids), ""


def update_body(id_value: str, accounts: int) -> bytes:
    """Every key upstream's update schema requires; None leaves a field as it is."""
    item = {"updateId": id_value, "ids": [], "name": None, "given_name": None, "gender": None}
    item.update({"birth_place": None, "bank_ids": bank_accounts(accounts)})
    return json.dumps([item]).encode()


def scenarios_of(
    deployment: Deployment, individual_id: int, update_ids: Sequence[str] | None
) -> list[Scenario]:
    password = basic_authorization(deployment.user, deployment.password)
    writer = basic_authorization(deployment.user, deployment.api_key) if deployment.api_key else password
    read_url = f"{deployment.api_url}/individual/{individual_id}"
    scenarios = [Scenario(f"{deployment.label}: {READ_WITH_SECRET}", read_url, authorization=password)]
    if deployment.api_key:
        scenarios.append(Scenario(f"{deployment.label}: {READ_WITH_KEY}", read_url, authorization=writer))
    for count in ACCOUNT_COUNTS:
        url, body = f"{deployment.api_url}/individual", individual_body(count)
        scenarios.append(Scenario(f"{deployment.label}: {post_name(count)}", url, "POST", body, writer))
    update_url = f"{deployment.api_url}/update_individual?id_type={quote(deployment.id_type)}"
    for count, id_value in zip(ACCOUNT_COUNTS, update_ids or (), strict=False):
        body = update_body(id_value, count)
        scenarios.append(
            Scenario(f"{deployment.label}: {update_name(count)}", update_url, "PUT", body, writer)
        )
    return scenarios


def scenario_names() -> list[str]:
    return [
        READ_WITH_SECRET,
        READ_WITH_KEY,
        *map(post_name, ACCOUNT_COUNTS),
        *map(update_name, ACCOUNT_COUNTS),
    ]


def describe_failures(scenarios: Sequence[Scenario], outcomes: dict[str, Outcome]) -> list[str]:
    """One line per scenario with unexpected answers, with one answer sent again to show it."""
    lines = []
    for scenario in scenarios:
        outcome = outcomes[scenario.name]
        if not outcome.unexpected:
            continue
        failed = sum(outcome.unexpected.values())
        status, answer = request(
            scenario.url,
            method=scenario.method,
            body=None if scenario.body is None else json.loads(scenario.body),
            authorization=scenario.authorization,
        )
        lines.append(
            f"  {scenario.name}: {failed} of {outcome.requests} measured requests answered "
            f"{dict(outcome.unexpected)}; sample answer: {_answer_text(status, answer)}"
        )
    return lines


def cross_table(targets: list[Deployment], outcomes: dict[str, Outcome]) -> list[str]:
    first = targets[0]
    lines = [f"throughput ratio of each deployment to {first.label}, same scenario (median of rounds)"]
    for name in scenario_names():
        if f"{first.label}: {name}" not in outcomes:
            continue
        row = []
        for other in targets[1:]:
            pair = (outcomes.get(f"{other.label}: {name}"), outcomes[f"{first.label}: {name}"])
            if pair[0] is None:
                continue
            ratio = median_ratio(outcomes, f"{other.label}: {name}", f"{first.label}: {name}")
            failing = " (with failed requests)" if pair[0].unexpected or pair[1].unexpected else ""
            row.append(f"{other.label} {ratio:.2f}{failing}")
        if row:
            lines.append(f"  {name:<24} " + "  ".join(row))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = load_plan(args)
    targets = deployments(args)
    scenarios, notes = [], []
    for deployment in targets:
        update_ids, why_not = individuals_to_update(deployment)
        if why_not:
            notes.append(f"  {deployment.label}: no update scenarios: {why_not}")
            print(notes[-1], file=sys.stderr)
        scenarios += scenarios_of(deployment, individual_to_read(deployment), update_ids)
    outcomes = measure_plan(scenarios, plan, progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(f"bench.remote: {plan.describe()}")
    if plan.concurrency > 1 and any(update_name(0) in scenario.name for scenario in scenarios):
        print("note: the connections of an update scenario update one individual at once (see --help)")
    for deployment in targets:
        prefix = f"{deployment.label}: "
        own = {name[len(prefix) :]: outcome for name, outcome in outcomes.items() if name.startswith(prefix)}
        print(report(own, READ_WITH_SECRET, title=f"{deployment.label} = {deployment.api_url}"))
    if len(targets) > 1:
        print("\n".join(cross_table(targets, outcomes)))
    failures = describe_failures(scenarios, outcomes)
    if failures or notes:
        print("not measured, or measured on failures (their throughput is not comparable):")
        print("\n".join(notes + failures))
    return exit_status(outcomes, "see the failed requests listed above")


if __name__ == "__main__":
    sys.exit(main())
