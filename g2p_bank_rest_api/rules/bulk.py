"""Bulk onboarding (`POST /bulk/individual`) as both runtimes take and answer it.

The body is a plain JSON array of up to `MAX_BULK_ITEMS` individuals; each element is validated
on its own with the registry's request schema as the runtime assembles it (bank_ids and every
other extension included), so that a bad element is rejected with its own errors instead of
making the whole request a 422. The answer is one result per element, in request order:
`index`, `status` (created, updated, unchanged, rejected), `id`, and `errors` located inside
the element. Inputs are never echoed in errors: they are personal data, maybe account numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, Field, ValidationError

MAX_BULK_ITEMS = 1000

# The route takes its body as a plain list (see above); the document still says what an item is.
ITEMS_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "maxItems": MAX_BULK_ITEMS,
                    "items": {"$ref": "#/components/schemas/IndividualInfoRequest"},
                }
            }
        }
    }
}

BulkStatus = Literal["created", "updated", "unchanged", "rejected"]


class BulkItemError(BaseModel):
    """Why an item was rejected: where in the item (`["bank_ids", 1, "acc_number"]`) and what."""

    loc: list[str | int] = Field(description="Location of the offending field inside the item")
    msg: str
    type: str


class BulkItemResult(BaseModel):
    index: int = Field(description="Position of the item in the request (0-based)")
    status: BulkStatus = Field(
        description=(
            "created: a new individual; updated: the individual holding the item's ID changed; "
            "unchanged: it already held everything the item says; rejected: nothing was written "
            "for this item (see errors)"
        )
    )
    id: int | None = Field(default=None, description="ID of the individual (null when rejected)")
    errors: list[BulkItemError] = Field(default_factory=list)


class ItemResult(TypedDict):
    """A result as processing builds it: a plain dictionary costs nothing to build, to send back
    from an import worker or to count; the route's answer model checks its shape."""

    index: int
    status: BulkStatus
    id: int | None
    errors: list[dict[str, Any]]


@dataclass(eq=False)
class BulkItem:
    """One element of a bulk request, from validation to its result."""

    index: int
    request: Any = None
    """The validated request (None when the element is invalid)."""
    errors: list[dict[str, Any]] = field(default_factory=list)
    """Why it is rejected: {loc, msg, type} each."""
    match_value: str | None = None
    """The value of the item's ID of the request's ID type: the item's key."""
    id_type_ids: list[int] = field(default_factory=list)
    """The ID type of each of the request's IDs, in their order (when the runtime needs them)."""
    registrant_id: int | None = None
    """The individual the item updates, or created once it is written."""
    registrant: Any = None
    """That individual as the runtime holds it (an ORM object, a res.partner record)."""
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
    """One BulkItem per element, with its validated request or the reasons it is rejected."""
    validate = request_class.__pydantic_validator__.validate_python
    items = []
    for index, raw in enumerate(raw_items):
        item = BulkItem(index=index)
        if not isinstance(raw, dict):
            item.reject([], "Each item must be a JSON object (an individual)", "model_type")
        else:
            try:
                item.request = validate(raw)
            except ValidationError as error:
                for detail in error.errors(include_url=False, include_input=False, include_context=False):
                    item.reject(detail["loc"], detail["msg"], detail["type"])
        items.append(item)
    return items


def accepted(items: Sequence[BulkItem]) -> list[BulkItem]:
    return [item for item in items if item.accepted]
