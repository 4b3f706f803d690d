"""`g2p-registry report shared-accounts FILE`: the shared-accounts report as CSV (key, masked
number, holders' ids space-separated, share_group), read page by page from one consistent
snapshot of the database, with a progress bar. Numbers are never written in full.

The file is written under a temporary name and renamed when complete."""

import argparse
import csv
import os
import sys
from pathlib import Path

from sqlalchemy.orm import Session
from tqdm import tqdm

from g2p_registry_server.config import Settings
from g2p_registry_server.db import make_engine

from ..payments.command import snapshot
from . import repository
from .report import MAX_LIMIT, shared_accounts_page

COLUMNS = ("key", "acc_number", "registrant_ids", "share_group")


def write_shared_accounts(session: Session, path: Path, *, progress: bool = True) -> int:
    """Write the report to ``path``; the number of shared numbers written."""
    temporary = path.with_name(path.name + ".partial")
    written = 0
    with (
        temporary.open("w", encoding="utf-8", newline="") as stream,
        tqdm(
            total=repository.count_shared_numbers(session),
            unit=" numbers",
            desc="Reporting",
            disable=None if progress else True,
        ) as bar,
    ):
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        after: int | None = 0
        while after is not None:
            page = shared_accounts_page(session, after=after, limit=MAX_LIMIT)
            for shared in page.items:
                writer.writerow(
                    (
                        shared.key,
                        shared.acc_number,
                        " ".join(str(registrant_id) for registrant_id in shared.registrant_ids),
                        "true" if shared.share_group else "false",
                    )
                )
            written += len(page.items)
            bar.update(len(page.items))
            after = page.next_after
    os.replace(temporary, path)
    return written


def _report_shared_accounts(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection, Session(bind=snapshot(connection)) as session, session.begin():
            written = write_shared_accounts(session, args.file)
    finally:
        engine.dispose()
    print(f"Wrote {written} shared account numbers to {args.file}", file=sys.stdout)
    return 0


def add_report_command(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write an audit report to a file")
    reports = report.add_subparsers(dest="report", required=True)
    shared = reports.add_parser(
        "shared-accounts",
        help="account numbers held by more than one active registrant (CSV, numbers masked)",
        description=__doc__,
    )
    shared.add_argument("file", type=Path, help="the CSV file to write (replaced when complete)")
    shared.set_defaults(handler=_report_shared_accounts)
