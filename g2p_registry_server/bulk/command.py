"""`g2p-registry import FILE`: bulk onboarding from a JSON Lines or CSV file, through the same
processing as `POST /bulk/individual`, one transaction per batch, with a progress bar, a
summary, a rejects file and a checkpoint to resume from."""

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from g2p_bank_server.rules.bulk import MAX_BULK_ITEMS

from ..config import Settings
from ..errors import RegistryError
from ..extensions import activate, build_extendable_registry, load_extensions
from .files import FORMATS, guess_format
from .importer import Importer, ImportState

DEFAULT_ID_TYPE = "National ID"
MAX_BATCH_SIZE = 10 * MAX_BULK_ITEMS
EXIT_SOME_REJECTED = 3
MAX_DEFAULT_JOBS = 4
MAX_JOBS = 32


def _batch_size(text: str) -> int:
    size = int(text)
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_BATCH_SIZE}")
    return size


def default_jobs() -> int:
    return max(1, min(MAX_DEFAULT_JOBS, os.cpu_count() or 1))


def run_import(
    settings: Settings, importer_options: dict[str, Any], *, restart: bool = False, progress: bool = True
) -> ImportState:
    """The import as the command runs it (also what the benchmark times)."""
    activate(build_extendable_registry(load_extensions(settings.enabled_extensions)))
    # Everything loaded so far lives as long as the process: the collector need not walk it again
    # for every batch (a large share of the run time otherwise).
    gc.freeze()
    importer = Importer(settings=settings, **importer_options)
    size = importer.path.stat().st_size
    bar = tqdm(total=size, unit="B", unit_scale=True, desc="Importing", disable=None if progress else True)

    def advance(state: ImportState) -> None:
        bar.update(state.offset - bar.n)
        bar.set_postfix(state.counts, refresh=False)

    try:
        return importer.run(restart=restart, on_batch=advance)
    finally:
        bar.close()


def _import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    rejects = args.rejects or path.with_name(path.name + ".rejected.jsonl")
    options = {
        "path": path,
        "fmt": args.format or guess_format(path),
        "id_type": args.id_type,
        "batch_size": args.batch_size,
        "checkpoint": args.checkpoint or path.with_name(path.name + ".checkpoint"),
        "rejects": rejects,
        "jobs": args.jobs,
    }
    try:
        state = run_import(settings, options, restart=args.restart)
    except RegistryError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error.strerror or error}: {error.filename or path}", file=sys.stderr)
        return 2
    counts = state.counts
    print(
        f"Imported {path}: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['rejected']} rejected"
        + (f" (reasons in {rejects})" if counts["rejected"] else "")
    )
    return EXIT_SOME_REJECTED if counts["rejected"] else 0


def _jobs(text: str) -> int:
    jobs = int(text)
    if not 1 <= jobs <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_JOBS}")
    return jobs


def add_import_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "import",
        help="create or update individuals from a JSON Lines or CSV file (resumable)",
        description=__doc__,
    )
    command.add_argument("file", type=Path, help="JSON Lines (one individual per line) or CSV file")
    command.add_argument("--format", choices=FORMATS, help="default: from the file name (.csv, else jsonl)")
    command.add_argument(
        "--id-type",
        default=DEFAULT_ID_TYPE,
        help=f"ID type whose value matches an individual (default: {DEFAULT_ID_TYPE})",
    )
    command.add_argument(
        "--batch-size",
        type=_batch_size,
        default=MAX_BULK_ITEMS,
        help="records per transaction (default 1000)",
    )
    command.add_argument("--checkpoint", type=Path, help="progress file (default: FILE.checkpoint)")
    command.add_argument(
        "--rejects", type=Path, help="rejected records with reasons (default: FILE.rejected.jsonl)"
    )
    command.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    command.add_argument(
        "--jobs",
        type=_jobs,
        default=default_jobs(),
        help=f"worker processes validating batches in parallel (default: CPUs, at most {MAX_DEFAULT_JOBS})",
    )
    command.set_defaults(handler=_import)
