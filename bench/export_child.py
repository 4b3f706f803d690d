"""One side of the export benchmark, in its own process: `driver` or `server` URL FILE.
Prints {"seconds": ..., "peak_kib": ...}: the time of the export alone (not the imports) and
the process's peak resident memory."""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from pathlib import Path

from .driver import driver_connection

# The same rows as the server's query, written by hand for the driver.
DRIVER_QUERY = """
SELECT listed.id, listed.name, listed.is_group, registrant_id.id_type_id, registrant_id.value,
       bank_account.id, bank.name, bank.bic, bank_account.acc_number, bank_account.acc_holder_name
FROM (
    SELECT registrant.id AS id, registrant.name AS name, registrant.is_group AS is_group,
           (SELECT candidate.id FROM bank_account AS candidate
            WHERE candidate.registrant_id = registrant.id AND candidate.active
            ORDER BY candidate.sequence, candidate.id LIMIT 1) AS account_id
    FROM registrant
    WHERE registrant.active AND registrant.id > 0
      AND EXISTS (SELECT 1 FROM bank_account AS any_account WHERE any_account.registrant_id = registrant.id)
    ORDER BY registrant.id
) AS listed
LEFT JOIN registrant_id ON registrant_id.registrant_id = listed.id
LEFT JOIN bank_account ON bank_account.id = listed.account_id
LEFT JOIN bank ON bank.id = bank_account.bank_id
ORDER BY listed.id, registrant_id.id
"""


def driver_export(url: str, path: Path) -> None:
    connection = driver_connection(url)
    postgresql = not url.startswith("sqlite")
    id_types = dict(connection.execute("SELECT id, name FROM id_type").fetchall())
    names = list(id_types.values())
    # A server-side cursor on PostgreSQL, as the server uses; sqlite3 cursors stream by nature.
    cursor = connection.cursor(name="export") if postgresql else connection.cursor()
    cursor.execute(DRIVER_QUERY)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(
            ["registrant_id", "name", "is_group", *(f"id:{name}" for name in names),
             "account_id", "bank_name", "bic", "acc_number", "acc_holder_name"]
        )  # fmt: skip
        current, ids, account = None, {}, None
        for registrant_id, name, is_group, type_id, value, *rest in cursor:
            if current is None or current[0] != registrant_id:
                if current is not None:
                    writer.writerow([*current, *(ids.get(n, "") for n in names), *account])
                current = (registrant_id, name, "true" if is_group else "false")
                ids, account = {}, ["" if cell is None else cell for cell in rest]
            if type_id is not None:
                ids[id_types[type_id]] = value
        if current is not None:
            writer.writerow([*current, *(ids.get(n, "") for n in names), *account])
    connection.close()


def server_export(url: str, path: Path) -> None:
    from g2p_bank_server.payments.command import export_payment_accounts, snapshot
    from g2p_registry_server.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        export_payment_accounts(snapshot(connection), path, "csv", updated_since=None, progress=False)
    engine.dispose()


def peak_kib() -> int:
    """Peak resident memory of this process. VmHWM, not ru_maxrss: after fork and exec, Linux
    reports the parent's peak in ru_maxrss if it was larger."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    side, url, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    run = driver_export if side == "driver" else server_export
    if side == "server":
        import g2p_bank_server.payments.command  # noqa: F401 - imports are not timed
    started = time.perf_counter()
    run(url, path)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_kib": peak_kib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
