"""`g2p-registry import`: JSON Lines and CSV files through the bulk processing, a summary and a
rejects file, and resumption after a crash (SIGKILL) that ends exactly as one complete run."""

from __future__ import annotations

import json
import os
import re
import signal
import time

from tests.factories import write_csv, write_jsonl

from .cli import run_cli, start_cli
from .database import Database


def test_jsonl_import_reports_rejects_and_a_second_run_changes_nothing(migrated_database, run, tmp_path):
    url = migrated_database()
    bad_iban = run.iban(7)[:-2] + ("00" if run.iban(7)[-2:] != "00" else "11")
    items = [run.item(n) for n in range(40)]
    items.insert(5, "{not json")
    items.insert(9, run.item(100, ids=[{"id_type": "Passport", "value": "X"}]))
    items.insert(20, run.item(101, bank_ids=[{"bank_name": "B", "acc_number": bad_iban}]))
    path = write_jsonl(tmp_path / "individuals.jsonl", items)

    first = run_cli(url, "import", str(path), "--batch-size", "7", "--jobs", "2")
    assert first.returncode == 3, first.stderr
    assert "40 created, 0 updated, 0 unchanged, 3 rejected" in first.stdout
    rejects = [
        json.loads(line) for line in (tmp_path / "individuals.jsonl.rejected.jsonl").read_text().splitlines()
    ]
    assert [reject["line"] for reject in rejects] == [6, 10, 21]
    assert rejects[0]["errors"][0]["type"] == "unreadable_record"
    assert rejects[1]["errors"][0]["loc"] == ["ids"]
    assert rejects[2]["errors"][0]["loc"] == ["bank_ids", 0, "acc_number"]
    assert bad_iban not in first.stdout + first.stderr + str(rejects)
    assert not (tmp_path / "individuals.jsonl.checkpoint").exists()
    database = Database(url)
    counts, dump = database.counts(), database.dump()
    assert counts["registrant"] == 40 and counts["bank_account"] == 80

    second = run_cli(url, "import", str(path), "--batch-size", "13")
    assert second.returncode == 3, second.stderr
    assert "0 created, 0 updated, 40 unchanged, 3 rejected" in second.stdout
    assert (database.counts(), database.dump()) == (counts, dump)
    database.dispose()


def test_csv_import_with_numbered_account_columns(migrated_database, run, tmp_path):
    url = migrated_database()
    header = [
        "name", "given_name", "gender", "id:National ID", "id:Passport", "phone_1", "phone_2",
        "bank_1_name", "bank_1_acc_number", "bank_1_bic",
        "bank_2_name", "bank_2_acc_number", "bank_2_primary",
    ]  # fmt: skip
    rows = [
        ["DOE, Jane", "Jane", "Female", run.national_id(1), "", "+254 700 1", "", "Bank A", run.iban(1),
         "DEUTDEFF", "Bank B", run.other_number(1), "true"],
        ["ROE, Ann", "Ann", "", run.national_id(2), "P-2", "", "", "", "", "", "", "", ""],
        ["", "Nameless", "", run.national_id(3), "", "", "", "", "", "", "", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "people.csv", header, rows)
    done = run_cli(url, "import", str(path))
    assert done.returncode == 3, done.stderr
    assert "2 created, 0 updated, 0 unchanged, 1 rejected" in done.stdout
    [reject] = [
        json.loads(line) for line in (tmp_path / "people.csv.rejected.jsonl").read_text().splitlines()
    ]
    assert (reject["line"], reject["errors"][0]["loc"]) == (4, ["name"])
    database = Database(url)
    accounts = database.dump()["accounts"]
    # Bank 2 is primary (sequence 9), bank 1 keeps the default order.
    assert [(row[0], row[1], row[4], row[6], row[7]) for row in accounts] == sorted(
        [
            (run.national_id(1), run.iban(1), "10", "Bank A", "DEUTDEFF"),
            (run.national_id(1), run.other_number(1), "9", "Bank B", "None"),
        ]
    )
    assert [row[1:3] for row in database.dump()["ids"] if row[0] == run.national_id(2)] == sorted(
        [("National ID", run.national_id(2)), ("Passport", "P-2")]
    )
    database.dispose()

    unknown = write_csv(tmp_path / "typo.csv", ["name", "given_nmae"], [["A", "B"]])
    refused = run_cli(url, "import", str(unknown))
    assert refused.returncode == 2
    assert "given_nmae" in refused.stderr


def _wait_for_checkpoint(path, process, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be interrupted"
        try:
            if json.loads(path.read_text())["counts"]["created"] >= at_least:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError("no checkpoint in time")


def test_an_import_killed_midway_resumes_to_exactly_one_complete_run(migrated_database, run, tmp_path):
    items = [run.item(n) for n in range(2000)]
    items[1200] = run.item(1200, gender="Robot")  # a reject, to check the rejects file too
    path = write_jsonl(tmp_path / "big.jsonl", items)
    reference_url, crashed_url = migrated_database(), migrated_database()

    complete = run_cli(
        reference_url, "import", str(path), "--batch-size", "50", "--rejects", str(tmp_path / "r1")
    )
    assert complete.returncode == 3, complete.stderr

    process = start_cli(crashed_url, "import", str(path), "--batch-size", "50", "--jobs", "2")
    _wait_for_checkpoint(tmp_path / "big.jsonl.checkpoint", process, at_least=400)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    crashed = Database(crashed_url)
    assert 400 <= crashed.counts()["registrant"] < 1999

    resumed = run_cli(crashed_url, "import", str(path), "--batch-size", "50")
    assert resumed.returncode == 3, resumed.stderr
    # Batches committed before the kill but after the last checkpoint run again: unchanged.
    created, updated, unchanged, rejected = map(
        int, re.findall(r"(\d+) (?:created|updated|unchanged|rejected)", resumed.stdout)
    )
    assert (created + unchanged, updated, rejected) == (1999, 0, 1)
    reference = Database(reference_url)
    assert crashed.counts() == reference.counts()
    assert crashed.dump() == reference.dump()
    rejects = (tmp_path / "big.jsonl.rejected.jsonl").read_text().splitlines()
    assert [json.loads(line)["line"] for line in rejects] == [1201]
    reference.dispose()
    crashed.dispose()

    # A checkpoint belongs to its file: another file is refused until --restart.
    write_jsonl(tmp_path / "big.jsonl.checkpoint", ['{"fingerprint": "other", "offset": 10}'])
    refused = run_cli(crashed_url, "import", str(path))
    assert refused.returncode == 2
    assert "checkpoint" in refused.stderr
    restarted = run_cli(crashed_url, "import", str(path), "--restart")
    assert "1999 unchanged" in restarted.stdout
