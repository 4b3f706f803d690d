"""The answer of `POST /bulk/individual`: one result per item of the request, in request order.

The wire format is the one of the standalone server (docs/bulk-and-export.md): `index`,
`status` (created, updated, unchanged, rejected), `id` and `errors` located inside the item.
"""

from typing import Literal

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
    id: int | None = Field(default=None, description="Id of the individual (null when rejected)")
    errors: list[BulkItemError] = Field(default_factory=list)
