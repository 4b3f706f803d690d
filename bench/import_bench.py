"""Bulk import of N individuals with 2 bank accounts each (default 100,000): the server's import
(`g2p-registry import`'s code path: validation, matching, bank rules, set-based writes) against
inserting the same rows with the database driver alone (SQLite executemany, PostgreSQL COPY),
each into a fresh database, in one run. Target: at most 3 times the driver's time.

    python -m bench.import_bench [--backend sqlite|postgresql] [--count N] [--smoke]

The driver baseline reads and parses the same JSON Lines file and inserts the same rows, in one
transaction, with none of the checks; the import commits per batch as the command does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from schwifty import IBAN
from sqlalchemy import create_engine, text

from g2p_registry_server.bulk.command import default_jobs
from g2p_registry_server.db import normalize_database_url, utc_now

from .common import add_backend_arguments, backend_databases, report
from .driver import driver_connection

TARGET = 3.0
BANKS = 50
COUNTED = ("registrant", "registrant_id", "phone_number", "bank", "bank_account")


def individual(number: int) -> dict:
    return {
        "name": f"DOE, Jane {number}",
        "given_name": "Jane",
        "family_name": "Doe",
        "gender": "Female",
        "birthdate": "1990-01-02",
        "ids": [{"id_type": "National ID", "value": f"NID-{number:09d}"}],
        "phone_numbers": [{"phone_no": f"+254 7{number % 100_000_000:08d}"}],
        "bank_ids": [
            {
                "bank_name": f"Bank {number % BANKS}",
                "acc_number": str(IBAN.generate("DE", bank_code="37040044", account_code=f"{number:010d}")),
                "primary": True,
            },
            {"bank_name": f"Bank {(number + 1) % BANKS}", "acc_number": f"ACC-{number:09d}"},
        ],
    }


def write_file(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for number in range(1, count + 1):
            stream.write(json.dumps(individual(number)) + "\n")


_NON_WORD = re.compile(r"\W+")
_NOT_DIGIT = re.compile(r"\D")
REGISTRANT_COLUMNS = (
    "id, name, given_name, family_name, is_group, gender, birthdate, is_partial_group, phone, active, "
    "create_date, write_date"
)
ACCOUNT_COLUMNS = (
    "registrant_id, bank_id, acc_number, normalized_number, sequence, active, create_date, write_date"
)


def driver_rows(path: Path, national_id_type: int) -> dict[str, list[tuple]]:
    """The rows of the file as the tables hold them, built with no validation at all."""
    now = utc_now()
    rows: dict[str, list[tuple]] = {
        "bank": [],
        "registrant": [],
        "registrant_id": [],
        "phone": [],
        "account": [],
    }
    banks: dict[str, int] = {}
    with path.open("rb") as stream:
        for registrant_id, line in enumerate(stream, start=1):
            item = json.loads(line)
            phone = item["phone_numbers"][0]["phone_no"]
            rows["registrant"].append(
                (registrant_id, item["name"], item["given_name"], item["family_name"], False, item["gender"],
                 date.fromisoformat(item["birthdate"]), False, phone, True, now, now)
            )  # fmt: skip
            rows["registrant_id"].append((registrant_id, national_id_type, item["ids"][0]["value"]))
            rows["phone"].append((registrant_id, phone, "+" + _NOT_DIGIT.sub("", phone)))
            for account in item["bank_ids"]:
                key = account["bank_name"].casefold()
                if key not in banks:
                    banks[key] = len(banks) + 1
                    rows["bank"].append((banks[key], account["bank_name"], key, now))
                number = account["acc_number"]
                sequence = 9 if account.get("primary") else 10
                rows["account"].append(
                    (
                        registrant_id,
                        banks[key],
                        number,
                        _NON_WORD.sub("", number).upper(),
                        sequence,
                        True,
                        now,
                        now,
                    )
                )
    return rows


INSERTS = {
    "bank": "INSERT INTO bank (id, name, name_key, create_date) VALUES ({})",
    "registrant": f"INSERT INTO registrant ({REGISTRANT_COLUMNS}) VALUES ({{}})",  # noqa: S608
    "registrant_id": "INSERT INTO registrant_id (registrant_id, id_type_id, value) VALUES ({})",
    "phone": "INSERT INTO phone_number (registrant_id, phone_no, phone_sanitized) VALUES ({})",
    "account": f"INSERT INTO bank_account ({ACCOUNT_COLUMNS}) VALUES ({{}})",  # noqa: S608
}


def driver_import(connection, backend: str, path: Path, national_id_type: int) -> None:
    rows = driver_rows(path, national_id_type)
    if backend == "sqlite":
        connection.execute("BEGIN")
        for table, statement in INSERTS.items():
            width = len(rows[table][0])
            connection.executemany(statement.format(", ".join("?" * width)), rows[table])
        connection.execute("COMMIT")
        return
    with connection.cursor() as cursor:
        for table, statement in INSERTS.items():
            target = statement.split(" VALUES")[0].removeprefix("INSERT INTO ")
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
    connection.commit()


def server_import(url: str, path: Path, batch_size: int, jobs: int, workdir: Path) -> None:
    from g2p_registry_server.bulk.command import run_import
    from g2p_registry_server.config import Settings

    options = {
        "path": path,
        "fmt": "jsonl",
        "id_type": "National ID",
        "batch_size": batch_size,
        "checkpoint": workdir / "import.checkpoint",
        "rejects": workdir / "import.rejected.jsonl",
        "jobs": jobs,
    }
    state = run_import(Settings(database_url=url), options, progress=False)
    if state.counts["rejected"]:
        raise SystemExit(f"the import rejected {state.counts['rejected']} items: see {options['rejects']}")


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(normalize_database_url(url))
    with engine.connect() as connection:
        counts = {}
        for table in COUNTED:
            counts[table] = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_backend_arguments(parser)
    parser.add_argument("--count", type=int, default=100_000, help="individuals to import (default 100,000)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), help="import worker processes (as the command)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (200 individuals) that checks the bench works"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side; the best time counts")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    count = 200 if args.smoke else args.count
    args.repeat = max(1, args.repeat)
    with (
        tempfile.TemporaryDirectory(prefix="g2p-bench-import-") as tmp,
        backend_databases(args, Path(tmp)) as dbs,
    ):
        workdir = Path(tmp)
        path = workdir / "individuals.jsonl"
        write_file(path, count)
        # Interleaved repetitions on fresh databases, the best time of each side: on a shared
        # machine the other load comes and goes, and it only ever makes a run slower.
        driver_times, server_times = [], []
        for _ in range(args.repeat):
            driver_url, server_url = dbs.create(), dbs.create()
            connection = driver_connection(driver_url)
            national_id = connection.execute("SELECT id FROM id_type WHERE name = 'National ID'").fetchone()[
                0
            ]
            started = time.perf_counter()
            driver_import(connection, args.backend, path, national_id)
            driver_times.append(time.perf_counter() - started)
            connection.close()

            started = time.perf_counter()
            server_import(server_url, path, args.batch_size, args.jobs, workdir)
            server_times.append(time.perf_counter() - started)

            expected, actual = row_counts(driver_url), row_counts(server_url)
            if expected != actual:
                raise SystemExit(f"row counts differ: driver {expected}, import {actual}")
            dbs.drop(driver_url)
            dbs.drop(server_url)
        driver_seconds, server_seconds = min(driver_times), min(server_times)
        ratio = report(
            f"import of {count:,} individuals with 2 accounts each ({args.backend}, best of {args.repeat})",
            [
                ("driver (executemany / COPY)", driver_seconds),
                (f"g2p-registry import --jobs {args.jobs}", server_seconds),
            ],
            target=TARGET,
            extra=f"rows per side: {actual}",
        )
    return 1 if args.check_targets and ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
