"""An import gives the same answer whether its batches run in the command's own process or in
worker processes, which parse the JSON lines of their batches themselves: the same summary, the
same rejects (unreadable lines included, at their line numbers) and the same rows."""

from __future__ import annotations

import json

import pytest

from tests.factories import write_jsonl

from .cli import run_cli
from .database import Database


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_unreadable_lines_are_rejected_at_their_line_by_any_runner(migrated_database, run, tmp_path, jobs):
    url = migrated_database()
    items = [run.item(n) for n in range(12)]
    items.insert(0, "{not json")
    items.insert(4, "[1, 2")
    items.insert(7, '"just a string"')
    items.insert(15, "\xff")
    path = write_jsonl(tmp_path / "individuals.jsonl", items)

    result = run_cli(url, "import", str(path), "--batch-size", "3", "--jobs", jobs)

    assert result.returncode == 3, result.stderr
    assert "12 created, 0 updated, 0 unchanged, 4 rejected" in result.stdout
    rejects = [
        json.loads(line) for line in (tmp_path / "individuals.jsonl.rejected.jsonl").read_text().splitlines()
    ]
    assert [(reject["line"], reject["errors"][0]["type"]) for reject in rejects] == [
        (1, "unreadable_record"),
        (5, "unreadable_record"),
        (8, "model_type"),
        (16, "unreadable_record"),
    ]
    assert rejects[0]["errors"][0]["msg"].startswith("Line is not valid JSON: Expecting property name")
    database = Database(url)
    assert database.counts()["registrant"] == 12
    database.dispose()
