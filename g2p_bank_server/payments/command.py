"""`g2p-registry export FILE`: the payment list to a CSV or JSON Lines file, streamed from one
consistent snapshot of the database (memory stays flat), with a progress bar.

The file is written under a temporary name and renamed when complete, so that a file with
the final name is never a partial export."""

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection
from tqdm import tqdm

from g2p_registry_server.config import Settings
from g2p_registry_server.db import make_engine, make_sessionmaker
from g2p_registry_server.origin import attach_origin, command_origin

from ..audit_trail import RevealedPage, trail_of
from ..rules import audit
from ..rules.payments import as_utc
from .files import FORMATS, WRITERS
from .query import count_listed, id_type_names, payment_accounts

_PROGRESS_EVERY = 1000


def snapshot(connection: Connection) -> Connection:
    """One snapshot for the count and the rows. SQLite: a read transaction (WAL) sees one
    snapshot from its first read on; PostgreSQL needs REPEATABLE READ for that."""
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


def export_payment_accounts(
    connection: Connection, path: Path, fmt: str, *, updated_since: datetime | None, progress: bool = True
) -> tuple[int, RevealedPage]:
    """Write the file; answers how many registrants it lists, and those whose full numbers it carries."""
    temporary = path.with_name(path.name + ".partial")
    written = 0
    revealed = RevealedPage()
    with connection.begin():
        total = count_listed(connection, updated_since=updated_since)
        id_types = list(id_type_names(connection).values())
        with (
            temporary.open("w", encoding="utf-8", newline="") as stream,
            tqdm(
                total=total, unit=" registrants", desc="Exporting", disable=None if progress else True
            ) as bar,
        ):
            writer = WRITERS[fmt](stream, id_types)
            for listed in payment_accounts(connection, updated_since=updated_since, stream=True):
                writer.write(listed)
                written += 1
                if listed.account is not None:
                    revealed.add(listed.registrant_id)
                if written % _PROGRESS_EVERY == 0:
                    bar.update(_PROGRESS_EVERY)
            bar.update(written % _PROGRESS_EVERY)
    os.replace(temporary, path)
    return written, revealed


def _export(settings: Settings, args: argparse.Namespace) -> int:
    fmt = args.format or ("csv" if args.file.suffix.lower() == ".csv" else "jsonl")
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            written, revealed = export_payment_accounts(
                snapshot(connection), args.file, fmt, updated_since=as_utc(args.updated_since)
            )
        # The file reveals full numbers: one `revealed` event for it (contract section 5).
        with make_sessionmaker(engine, write=True)() as session, session.begin():
            attach_origin(session, command_origin("export", audit.request_id(None)))
            trail_of(session).page_revealed(revealed)
    finally:
        engine.dispose()
    print(f"Exported {written} registrants to {args.file}", file=sys.stdout)
    return 0


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected an ISO 8601 date or timestamp") from None


def add_export_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "export", help="write the payment list (IDs and primary bank account) to a file", description=__doc__
    )
    command.add_argument("file", type=Path, help="the file to write (replaced when complete)")
    command.add_argument("--format", choices=FORMATS, help="default: from the file name (.csv, else jsonl)")
    command.add_argument(
        "--updated-since",
        type=_moment,
        help="only registrants changed at or after this moment (ISO 8601; UTC unless an offset is given)",
    )
    command.set_defaults(handler=_export)
