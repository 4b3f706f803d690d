"""The items of one bulk request, each validated on its own with the registry's request schema.

Plain Python (no Odoo model): the registry's `IndividualInfoRequest` as this database assembles
it (bank_ids and every other extension included) validates each element alone, so that a bad
element is rejected with its own errors instead of making the whole request a 422.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError


@dataclass(eq=False)
class BulkItem:
    index: int
    request: Any = None
    """The validated request (None when the element is invalid)."""
    errors: list[dict[str, Any]] = field(default_factory=list)
    id_type_ids: list[int] = field(default_factory=list)
    """The ID type id of each of the request's IDs, in their order."""
    match_value: str | None = None
    """The value of the item's ID of the request's ID type: the item's key."""
    registrant: Any = None
    """The individual the item updates or created (a res.partner record)."""
    created: bool = False
    changed: bool = False

    @property
    def accepted(self) -> bool:
        return not self.errors

    def reject(self, loc: Sequence[str | int], msg: str, kind: str) -> None:
        self.errors.append({"loc": list(loc), "msg": msg, "type": kind})

    def result(self) -> dict[str, Any]:
        if self.errors:
            return {"index": self.index, "status": "rejected", "id": None, "errors": self.errors}
        status = "created" if self.created else "updated" if self.changed else "unchanged"
        return {"index": self.index, "status": status, "id": self.registrant.id, "errors": []}


def validate_items(raw_items: Sequence[Any], request_class: Any) -> list[BulkItem]:
    """One BulkItem per element, with the request or the reasons it is rejected."""
    validate = request_class.model_validate
    items = []
    for index, raw in enumerate(raw_items):
        item = BulkItem(index=index)
        if not isinstance(raw, dict):
            item.reject([], "Each item must be a JSON object (an individual)", "model_type")
        else:
            try:
                # Text PostgreSQL cannot store is refused by the request schema itself
                # (schemas/storable_text), like every other rule.
                item.request = validate(raw)
            except ValidationError as error:
                # Inputs are left out: they are personal data, maybe account numbers.
                for detail in error.errors(include_url=False, include_input=False, include_context=False):
                    item.reject(detail["loc"], detail["msg"], detail["type"])
        items.append(item)
    return items


def accepted(items: Sequence[BulkItem]) -> list[BulkItem]:
    return [item for item in items if item.accepted]
