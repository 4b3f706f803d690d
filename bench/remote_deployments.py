"""The deployments `bench.remote` measures, from its command line.

Each `--base-url` is one deployment, optionally named (`ours=URL`; unnamed ones are called A,
B, ...). Every other per-deployment option is given once for all deployments, once per
deployment in `--base-url` order, or as `NAME=VALUE` for the deployment of that name (a value
whose text before the first `=` is not a deployment's name is taken whole, so passwords may
hold `=`). Unnamed values then apply to the deployments not named.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from .registrants import ACCOUNT_COUNTS


@dataclass(frozen=True)
class Deployment:
    label: str
    api_url: str
    user: str
    password: str
    api_key: str | None = None
    individual_id: int | None = None  # to read; created when not given
    id_type: str = "National ID"
    # The ID values of individuals to update, one per account count (the same for all when one
    # was given); created when not given.
    update_ids: tuple[str, ...] | None = None


def split_label(given: str, index: int) -> tuple[str, str]:
    label, separator, url = given.partition("=")
    if not separator or "://" in label:
        return chr(ord("A") + index), given
    return label, url


def per_deployment(values: list[str] | None, labels: list[str], option: str) -> list[str | None]:
    """The value of `option` for each deployment (None where it has none)."""
    named: dict[str, str] = {}
    unnamed: list[str] = []
    for value in values or ():
        name, separator, rest = value.partition("=")
        if separator and name in labels:
            if name in named:
                raise SystemExit(f"{option} is given twice for {name}")
            named[name] = rest
        else:
            unnamed.append(value)
    others = [label for label in labels if label not in named]
    if not unnamed:
        fill: dict[str, str] = {}
    elif len(unnamed) == 1:
        fill = dict.fromkeys(others, unnamed[0])
    elif not named and len(unnamed) == len(labels):
        fill = dict(zip(labels, unnamed, strict=True))
    else:
        raise SystemExit(
            f"give {option} once for all deployments, once per --base-url in order, or as NAME=VALUE "
            f"with NAME one of {', '.join(labels)}"
        )
    return [named.get(label, fill.get(label)) for label in labels]


def _required(values: list[str | None], labels: list[str], option: str) -> list[str]:
    missing = [label for label, value in zip(labels, values, strict=True) if value is None]
    if missing:
        raise SystemExit(f"{option} is required (missing for {', '.join(missing)})")
    return [value for value in values if value is not None]


def _individual_id(value: str | None, label: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise SystemExit(f"--individual-id of {label} must be a number, not {value!r}")
    return int(value)


def _update_ids(value: str | None, label: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    ids = tuple(part.strip() for part in value.split(","))
    if len(ids) not in (1, len(ACCOUNT_COUNTS)) or not all(ids):
        raise SystemExit(
            f"--update-id of {label}: one ID, or {len(ACCOUNT_COUNTS)} separated by commas "
            f"(one per account count {', '.join(map(str, ACCOUNT_COUNTS))})"
        )
    return ids if len(ids) > 1 else ids * len(ACCOUNT_COUNTS)


def deployments(args: argparse.Namespace) -> list[Deployment]:
    split = [split_label(given, index) for index, given in enumerate(args.base_url)]
    labels = [label for label, _url in split]
    if len(set(labels)) != len(labels):
        raise SystemExit("--base-url names must differ")
    users = _required(per_deployment(args.user, labels, "--user"), labels, "--user")
    passwords = _required(per_deployment(args.password, labels, "--password"), labels, "--password")
    keys = per_deployment(args.api_key, labels, "--api-key")
    read_ids = per_deployment(args.individual_id, labels, "--individual-id")
    id_types = per_deployment(args.id_type, labels, "--id-type")
    update_ids = per_deployment(args.update_id, labels, "--update-id")
    return [
        Deployment(
            label=label,
            api_url=url.rstrip("/"),
            user=users[index],
            password=passwords[index],
            api_key=keys[index],
            individual_id=_individual_id(read_ids[index], label),
            id_type=id_types[index] or Deployment.id_type,
            update_ids=_update_ids(update_ids[index], label),
        )
        for index, (label, url) in enumerate(split)
    ]


def add_deployment_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "deployments (options after --base-url: once for all, once per deployment, or NAME=VALUE)"
    )
    group.add_argument("--base-url", action="append", required=True, help="[NAME=]URL of the API root")
    group.add_argument("--user", action="append")
    group.add_argument("--password", action="append")
    group.add_argument(
        "--api-key", action="append", help="an API key of the user (sent as the Basic password)"
    )
    group.add_argument(
        "--individual-id", action="append", help="an individual to read; by default one is created"
    )
    group.add_argument(
        "--id-type",
        action="append",
        help="the ID type the updates find individuals by (default: National ID)",
    )
    group.add_argument(
        "--update-id",
        action="append",
        help="ID of the individual to update (or 4 IDs separated by commas, one per account count "
        "0, 1, 5, 20); by default individuals with new IDs are created",
    )
