"""The answer of a bulk import: one result per item, in the order of the request.

Processing produces plain dictionaries (`ItemResult`): a batch's results cost nothing to build,
to send back from an import worker or to count; the route's answer model checks their shape."""

from typing import Any, Literal, TypedDict

from pydantic import BaseModel, Field

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
    index: int
    status: BulkStatus
    id: int | None
    errors: list[dict[str, Any]]
