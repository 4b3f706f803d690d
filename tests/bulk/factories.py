"""Bulk items and files for the tests: individual ``n`` of a run carries IDs, a phone and
accounts derived from ``n``, so that any row read back can be checked against what was sent."""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path
from typing import Any

from schwifty import IBAN

BY_NATIONAL_ID = {"id_type": "National ID"}


class Run:
    """Numbers individuals within one test, under a prefix no other test uses."""

    def __init__(self) -> None:
        self.prefix = secrets.token_hex(3).upper()

    def national_id(self, n: int) -> str:
        return f"NID-{self.prefix}-{n:06d}"

    def iban(self, n: int) -> str:
        code = int(self.prefix, 16) % 10_000
        return str(IBAN.generate("DE", bank_code="37040044", account_code=f"{code:04d}{n:06d}"))

    def other_number(self, n: int) -> str:
        return f"ACC-{self.prefix}-{n:06d}"

    def item(self, n: int, *, accounts: int = 2, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": f"DOE, Jane {n}",
            "given_name": "Jane",
            "family_name": "Doe",
            "gender": "Female",
            "birthdate": "1990-01-02",
            "ids": [{"id_type": "National ID", "value": self.national_id(n)}],
            "phone_numbers": [{"phone_no": f"+254 7{n:08d}"}],
        }
        numbers = [self.iban(n), self.other_number(n)][:accounts]
        if numbers:
            body["bank_ids"] = [
                {"bank_name": f"Bulk Bank {self.prefix} {index}", "acc_number": number, "primary": index == 0}
                for index, number in enumerate(numbers)
            ]
        body.update(fields)
        return body


def write_jsonl(path: Path, items: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for item in items:
            stream.write((item if isinstance(item, str) else json.dumps(item)) + "\n")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path
