"""What the benchmarks share: backend selection and the printed report."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from .databases import Databases, private_postgres


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("G2P_BENCH_POSTGRES_URL") or os.environ.get("G2P_TEST_POSTGRES_URL"),
        help="admin URL of a PostgreSQL server to create throw-away databases on "
        "(default: a private cluster started for the run)",
    )


@contextlib.contextmanager
def backend_databases(args: argparse.Namespace, workdir: Path) -> Iterator[Databases]:
    with contextlib.ExitStack() as stack:
        admin_url = args.postgres_url
        if args.backend == "postgresql" and not admin_url:
            admin_url = stack.enter_context(private_postgres())
        databases = Databases(args.backend, workdir, admin_url)
        stack.callback(databases.drop_all)
        yield databases


def report(title: str, timings: Sequence[tuple[str, float]], *, target: float, extra: str = "") -> float:
    """Print the timings side by side and the ratio of the last to the first; returns the ratio."""
    (base_name, base), (name, measured) = timings[0], timings[-1]
    ratio = measured / base if base else float("inf")
    print(title)
    for label, seconds in timings:
        print(f"  {label:<40} {seconds:9.2f} s")
    verdict = "met" if ratio <= target else "NOT met"
    print(f"  ratio {name} / {base_name}: {ratio:.2f} (target <= {target}: {verdict})")
    if extra:
        print(f"  {extra}")
    return ratio
