"""Payment export of N registrants with one account each (default 1,000,000): the server's
export (`g2p-registry export`'s code path) against reading the same rows with the database
driver and writing the same CSV file, in one run. Each side runs in a child process that
reports its time and its peak memory (ru_maxrss). Targets: at most 1.5 times the driver's time,
and peak memory at N within 10% of the peak at N/10 (memory stays flat).

    python -m bench.export_bench [--backend sqlite|postgresql] [--count N] [--smoke]

Both files must come out byte for byte identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from g2p_registry_server.db import utc_now

from .common import add_backend_arguments, backend_databases, report
from .driver import driver_connection

TIME_TARGET = 1.5
MEMORY_TARGET = 1.10
BANKS = 50
FILL_CHUNK = 50_000


def fill(url: str, backend: str, count: int) -> None:
    """``count`` individuals with a National ID and one account each, inserted with the driver."""
    now = utc_now()
    connection = driver_connection(url)
    marker = "?" if backend == "sqlite" else "%s"
    national_id = connection.execute("SELECT id FROM id_type WHERE name = 'National ID'").fetchone()[0]
    banks = [(number, f"Bank {number}", f"bank {number}", f"BANKDE{number:02d}" if number % 2 else None, now)
             for number in range(1, BANKS + 1)]  # fmt: skip
    if backend == "sqlite":
        connection.execute("BEGIN")
    statements = {
        "bank": "INSERT INTO bank (id, name, name_key, bic, create_date) VALUES ({})",
        "registrant": "INSERT INTO registrant (id, name, given_name, is_group, is_partial_group, active, "
        "create_date, write_date) VALUES ({})",
        "registrant_id": "INSERT INTO registrant_id (registrant_id, id_type_id, value) VALUES ({})",
        "bank_account": "INSERT INTO bank_account (registrant_id, bank_id, acc_number, normalized_number, "
        "acc_holder_name, sequence, active, create_date, write_date) VALUES ({})",
    }
    widths = {"bank": 5, "registrant": 8, "registrant_id": 3, "bank_account": 9}
    statements = {table: sql.format(", ".join([marker] * widths[table])) for table, sql in statements.items()}
    cursor = connection.cursor()

    def insert(table: str, rows: list[tuple]) -> None:
        if backend == "sqlite":
            cursor.executemany(statements[table], rows)
            return
        with cursor.copy(
            statements[table].split(" VALUES")[0].replace("INSERT INTO", "COPY") + " FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)

    insert("bank", banks)
    for start in range(1, count + 1, FILL_CHUNK):
        numbers = range(start, min(count, start + FILL_CHUNK - 1) + 1)
        insert("registrant", [(n, f"DOE, Jane {n}", "Jane", False, False, True, now, now) for n in numbers])
        insert("registrant_id", [(n, national_id, f"NID-{n:09d}") for n in numbers])
        accounts = [
            (
                n,
                n % BANKS + 1,
                f"ACC {n:09d}",
                f"ACC{n:09d}",
                "Jane Doe" if n % 3 else None,
                10,
                True,
                now,
                now,
            )
            for n in numbers
        ]
        insert("bank_account", accounts)
    if backend == "sqlite":
        connection.execute("COMMIT")
    else:
        connection.commit()
    connection.close()


def run_child(side: str, url: str, path: Path) -> dict:
    """Run one side in a fresh interpreter; it prints {"seconds", "peak_kib"} as its last line."""
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.export_child", side, url, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    if done.returncode != 0:
        raise SystemExit(f"{side} export failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_backend_arguments(parser)
    parser.add_argument(
        "--count", type=int, default=1_000_000, help="registrants to export (default 1,000,000)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (2,000 registrants) that checks the bench works"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best time counts")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    count = 2_000 if args.smoke else args.count
    args.repeat = 1 if args.smoke else max(1, args.repeat)
    with (
        tempfile.TemporaryDirectory(prefix="g2p-bench-export-") as tmp,
        backend_databases(args, Path(tmp)) as dbs,
    ):
        workdir = Path(tmp)
        small_url, large_url = dbs.create(), dbs.create()
        fill(small_url, args.backend, count // 10)
        fill(large_url, args.backend, count)
        # Interleaved repetitions, the best time of each side: on a shared machine the other
        # load comes and goes, and it only ever makes a run slower.
        drivers, servers, smalls = [], [], []
        for _ in range(args.repeat):
            drivers.append(run_child("driver", large_url, workdir / "driver.csv"))
            servers.append(run_child("server", large_url, workdir / "server.csv"))
            smalls.append(run_child("server", small_url, workdir / "small.csv"))
        driver = {
            "seconds": min(r["seconds"] for r in drivers),
            "peak_kib": max(r["peak_kib"] for r in drivers),
        }
        server = {
            "seconds": min(r["seconds"] for r in servers),
            "peak_kib": max(r["peak_kib"] for r in servers),
        }
        small = {"seconds": min(r["seconds"] for r in smalls), "peak_kib": max(r["peak_kib"] for r in smalls)}
        if digest(workdir / "driver.csv") != digest(workdir / "server.csv"):
            raise SystemExit("the two exports differ")
        ratio = report(
            f"export of {count:,} payment accounts to CSV ({args.backend}, best of {args.repeat})",
            [("driver read + csv.writer", driver["seconds"]), ("g2p-registry export", server["seconds"])],
            target=TIME_TARGET,
        )
        memory = server["peak_kib"] / small["peak_kib"]
        verdict = "met" if memory <= MEMORY_TARGET else "NOT met"
        print(
            f"  peak memory of the export: {small['peak_kib'] / 1024:.1f} MiB at {count // 10:,}, "
            f"{server['peak_kib'] / 1024:.1f} MiB at {count:,}: ratio {memory:.3f} "
            f"(target <= {MEMORY_TARGET}: {verdict}); driver side {driver['peak_kib'] / 1024:.1f} MiB"
        )
    missed = ratio > TIME_TARGET or memory > MEMORY_TARGET
    return 1 if args.check_targets and missed else 0


if __name__ == "__main__":
    sys.exit(main())
