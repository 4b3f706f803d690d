"""The CSV layout of bulk imports: one row per individual, one column per field.

Registry columns: the individual's fields by their request names (`name`, `given_name`,
`family_name`, `addl_name`, `gender`, `birthdate`, `birth_place`, `email`, `address`,
`registration_date`), one `id:<ID type>` column per ID type (`id:National ID`), and numbered
phone columns `phone_1`, `phone_2`, ... An empty cell is a field left out (on update: the stored
value stays). Extensions add their own columns by extending `IndividualCsvLayout`.
"""

import re
from collections.abc import Sequence
from typing import Any

from extendable import ExtendableMeta

FIELD_COLUMNS = (
    "name",
    "given_name",
    "family_name",
    "addl_name",
    "gender",
    "birthdate",
    "birth_place",
    "email",
    "address",
    "registration_date",
)
ID_PREFIX = "id:"
_PHONE_COLUMN = re.compile(r"phone_([1-9][0-9]?)")


class UnknownColumns(ValueError):
    pass


def numbered(columns: Sequence[str], pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """(number, column) of the columns matching ``pattern`` (group 1 is the number), by number."""
    found = [(int(match.group(1)), column) for column in columns if (match := pattern.fullmatch(column))]
    return sorted(found)


class IndividualCsvLayout(metaclass=ExtendableMeta):
    def __init__(self, header: Sequence[str]) -> None:
        self.header = list(header)
        unknown = [column for column in self.header if not self.is_known_column(column)]
        if unknown:
            raise UnknownColumns(f"Unknown CSV column(s): {', '.join(unknown)}")
        self._phones = [column for _, column in numbered(self.header, _PHONE_COLUMN)]
        self._ids = [column for column in self.header if column.startswith(ID_PREFIX)]

    def is_known_column(self, column: str) -> bool:
        return (
            column in FIELD_COLUMNS
            or (column.startswith(ID_PREFIX) and len(column) > len(ID_PREFIX))
            or _PHONE_COLUMN.fullmatch(column) is not None
        )

    def item_from_row(self, row: dict[str, str]) -> dict[str, Any]:
        """The request item a row stands for; empty cells are left out."""
        item: dict[str, Any] = {field: row[field] for field in FIELD_COLUMNS if row.get(field)}
        item["ids"] = [
            {"id_type": column[len(ID_PREFIX) :], "value": row[column]}
            for column in self._ids
            if row.get(column)
        ]
        phones = [{"phone_no": row[column]} for column in self._phones if row.get(column)]
        if phones:
            item["phone_numbers"] = phones
        return item
