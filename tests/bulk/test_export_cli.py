"""`g2p-registry export`: the payment list as CSV or JSON Lines, the same as the HTTP pages, and
consistent when written while an import adds registrants (nothing half-seen, nothing twice)."""

from __future__ import annotations

import csv
import json
import time

from tests.factories import write_jsonl

from .cli import run_cli, run_in_process, start_cli
from .database import Database
from .test_payment_accounts import all_pages, bulk


def test_export_files_hold_what_the_route_answers(client, live_server, run, tmp_path):
    bulk(client, [run.item(n) for n in range(12)])
    pages = all_pages(client, limit=5)
    jsonl, table = tmp_path / "payments.jsonl", tmp_path / "payments.csv"
    for path in (jsonl, table):
        done = run_cli(live_server.database_url, "export", str(path))
        assert done.returncode == 0, done.stderr
        assert f"Exported {len(pages)} registrants" in done.stdout
    assert [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()] == pages
    with table.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [int(row["registrant_id"]) for row in rows] == [item["registrant_id"] for item in pages]
    for row, item in zip(rows, pages, strict=True):
        assert row["id:National ID"] == next(i["value"] for i in item["ids"] if i["id_type"] == "National ID")
        assert (row["bank_name"], row["acc_number"], row["bic"]) == (
            item["account"]["bank_name"],
            item["account"]["acc_number"],
            item["account"]["bic"] or "",
        )
    recent = tmp_path / "recent.jsonl"
    done = run_cli(live_server.database_url, "export", str(recent), "--updated-since", "2999-01-01")
    assert (done.returncode, recent.read_text()) == (0, "")


def test_export_during_an_import_is_one_consistent_snapshot(migrated_database, run, tmp_path):
    url = migrated_database()
    first = write_jsonl(tmp_path / "first.jsonl", [run.item(n) for n in range(500)])
    assert run_cli(url, "import", str(first)).returncode == 0
    more = write_jsonl(tmp_path / "more.jsonl", [run.item(n) for n in range(500, 4500)])
    importing = start_cli(url, "import", str(more), "--batch-size", "10", "--jobs", "1")
    try:
        checkpoint = tmp_path / "more.jsonl.checkpoint"
        deadline = time.monotonic() + 60
        while not checkpoint.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        export = tmp_path / "during.csv"
        # In process: the export's snapshot is taken at once, while the import runs (a new
        # interpreter's second of start-up could outlast the whole import).
        done = run_in_process(url, "export", str(export))
        assert done.returncode == 0, done.stderr
    finally:
        importing.wait(timeout=120)
    assert importing.returncode == 0, importing.stderr.read()

    with export.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    exported = [int(row["registrant_id"]) for row in rows]
    assert exported == sorted(set(exported)), "a registrant was exported twice or out of order"
    database = Database(url)
    stored = database.scalar("SELECT count(*) FROM registrant WHERE id <= :last", last=exported[-1])
    # One writer commits batches in id order: a consistent snapshot is exactly a prefix of them.
    assert len(exported) == stored, "the export saw part of a batch, or missed a committed one"
    # The snapshot was taken mid-import (the export may finish after the import: that is fine).
    assert 500 < len(exported) < 4500, "the export's snapshot was not taken during the import"
    for row in rows:
        n = int(row["id:National ID"].rsplit("-", 1)[1])
        assert (row["name"], row["acc_number"]) == (f"DOE, Jane {n}", run.iban(n)), (
            "a half-written registrant"
        )
    database.dispose()
