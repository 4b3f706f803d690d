"""Bank accounts in CSV bulk imports: numbered column groups, one per account of the row's
individual: ``bank_1_name``, ``bank_1_acc_number``, ``bank_1_bic``, ``bank_1_acc_holder_name``,
``bank_1_primary``, then ``bank_2_...`` and so on. A group whose cells are all empty is no
account; any other group is an item of ``bank_ids`` (validated as in a request)."""

import re
from collections.abc import Sequence
from typing import Any

from g2p_registry_server.bulk.csv_layout import IndividualCsvLayout

# Column suffix → item field.
ACCOUNT_FIELDS = {
    "name": "bank_name",
    "acc_number": "acc_number",
    "bic": "bic",
    "acc_holder_name": "acc_holder_name",
    "primary": "primary",
}
_ACCOUNT_COLUMN = re.compile(r"bank_([1-9][0-9]?)_(" + "|".join(ACCOUNT_FIELDS) + ")")


class BankCsvLayout(IndividualCsvLayout, extends=IndividualCsvLayout):
    def __init__(self, header: Sequence[str]) -> None:
        super().__init__(header)
        self._accounts: dict[int, dict[str, str]] = {}
        for column in self.header:
            match = _ACCOUNT_COLUMN.fullmatch(column)
            if match:
                self._accounts.setdefault(int(match.group(1)), {})[ACCOUNT_FIELDS[match.group(2)]] = column

    def is_known_column(self, column: str) -> bool:
        return super().is_known_column(column) or _ACCOUNT_COLUMN.fullmatch(column) is not None

    def item_from_row(self, row: dict[str, str]) -> dict[str, Any]:
        item = super().item_from_row(row)
        accounts = []
        for _, columns in sorted(self._accounts.items()):
            account = {field: row[column] for field, column in columns.items() if row.get(column)}
            if account:
                accounts.append(account)
        if accounts:
            item["bank_ids"] = accounts
        return item
