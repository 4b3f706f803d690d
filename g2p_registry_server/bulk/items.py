"""The items of one bulk batch: each validated on its own with the registry's request schema
(extensions' fields and rules included), so that a bad item is rejected alone instead of
making the whole batch a 422."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from ..registrants.models import Registrant
from .results import BulkStatus, ItemResult


@dataclass(eq=False)
class BulkItem:
    index: int
    request: Any = None  # the validated IndividualInfoRequest (extended), None when invalid
    errors: list[dict[str, Any]] = field(default_factory=list)  # {loc, msg, type}
    match_value: str | None = None  # the value of its ID of the batch's ID type
    registrant_id: int | None = None
    registrant: Registrant | None = None  # loaded (and locked) when the item updates one
    created: bool = False
    changed: bool = False

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def stored_id(self) -> int:
        """The id of the individual the item created or updates (once it was written)."""
        if self.registrant_id is None:
            raise ValueError(f"bulk item {self.index} has no individual yet")
        return self.registrant_id

    def reject(self, loc: Sequence[str | int], msg: str, kind: str) -> None:
        self.errors.append({"loc": list(loc), "msg": msg, "type": kind})

    def result(self) -> ItemResult:
        if self.errors:
            return {"index": self.index, "status": "rejected", "id": None, "errors": self.errors}
        status: BulkStatus = "created" if self.created else "updated" if self.changed else "unchanged"
        return {"index": self.index, "status": status, "id": self.registrant_id, "errors": []}


def validate_items(raw_items: Sequence[Any], request_class: type[BaseModel]) -> list[BulkItem]:
    items = []
    validate = request_class.__pydantic_validator__.validate_python
    for index, raw in enumerate(raw_items):
        item = BulkItem(index=index)
        if not isinstance(raw, dict):
            item.reject([], "Each item must be a JSON object (an individual)", "model_type")
        else:
            try:
                item.request = validate(raw)
            except ValidationError as error:
                # Inputs are left out: they may be personal data or account numbers.
                for detail in error.errors(include_url=False, include_input=False, include_context=False):
                    item.reject(detail["loc"], detail["msg"], detail["type"])
        items.append(item)
    return items


def accepted(items: Sequence[BulkItem]) -> list[BulkItem]:
    return [item for item in items if item.accepted]
