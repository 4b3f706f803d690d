"""The payment list as a file: CSV (one row per registrant, one column per ID type) or JSON
Lines (one object per registrant, as `GET /payment_accounts` answers items)."""

import csv
import json
from collections.abc import Sequence
from typing import TextIO

from .query import PaymentAccount

FORMATS = ("csv", "jsonl")
ACCOUNT_COLUMNS = ("account_id", "bank_name", "bic", "acc_number", "acc_holder_name")
_NO_ACCOUNT = ("",) * len(ACCOUNT_COLUMNS)


class CsvPaymentWriter:
    def __init__(self, stream: TextIO, id_types: Sequence[str]) -> None:
        self.id_types = list(id_types)
        writer = csv.writer(stream, lineterminator="\n")
        self._writerow = writer.writerow
        self._writerow(
            ["registrant_id", "name", "is_group", *(f"id:{name}" for name in self.id_types), *ACCOUNT_COLUMNS]
        )

    def write(self, listed: PaymentAccount) -> None:
        registrant_id, name, is_group, ids, account = listed
        values = dict(ids)
        # csv writes None as an empty cell.
        self._writerow(
            [
                registrant_id,
                name,
                "true" if is_group else "false",
                *[values.get(id_type, "") for id_type in self.id_types],
                *(account or _NO_ACCOUNT),
            ]
        )


class JsonlPaymentWriter:
    def __init__(self, stream: TextIO, id_types: Sequence[str]) -> None:
        self._stream = stream

    def write(self, listed: PaymentAccount) -> None:
        account = None
        if listed.account is not None:
            account = dict(zip(("id", *ACCOUNT_COLUMNS[1:]), listed.account, strict=True))
        item = {
            "registrant_id": listed.registrant_id,
            "name": listed.name,
            "is_group": listed.is_group,
            "ids": [{"id_type": id_type, "value": value} for id_type, value in listed.ids],
            "account": account,
        }
        self._stream.write(json.dumps(item, ensure_ascii=False) + "\n")


WRITERS: dict[str, type[CsvPaymentWriter | JsonlPaymentWriter]] = {
    "csv": CsvPaymentWriter,
    "jsonl": JsonlPaymentWriter,
}
