"""The payment list (`GET /payment_accounts`): its answers, and the opaque cursor that pages
through them.

Both runtimes answer with these models and read this cursor (unpadded base64url of
`{"after": <last registrant id>, "updated_since": <ISO timestamp or null>}`), so that a client
pages through either the same way.
"""

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError


class PaymentRegistrantId(BaseModel):
    id_type: str
    value: str


class PayoutAccount(BaseModel):
    id: int
    bank_name: str | None = None
    bic: str | None = None
    acc_number: str
    acc_holder_name: str | None = None


class PaymentAccountItem(BaseModel):
    registrant_id: int
    name: str | None = None
    is_group: bool
    ids: list[PaymentRegistrantId]
    account: PayoutAccount | None = Field(
        description="The primary account (payments go to it); null when every account was archived"
    )


class PaymentAccountsPage(BaseModel):
    items: list[PaymentAccountItem]
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page; null on the last page"
    )


class PageCursor(BaseModel):
    """Where a page ends and the filter it was read with; travels base64-encoded."""

    after: int = Field(ge=0, le=2**31 - 1)
    updated_since: datetime | None = None

    def encode(self) -> str:
        return base64.urlsafe_b64encode(self.model_dump_json().encode()).decode().rstrip("=")


def as_utc(moment: datetime | None) -> datetime | None:
    """Timestamps are stored as naive UTC: an aware moment is converted, a naive one is UTC."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _decode_cursor(text: str) -> PageCursor:
    try:
        padded = text + "=" * (-len(text) % 4)
        cursor = PageCursor.model_validate(json.loads(base64.urlsafe_b64decode(padded.encode("ascii"))))
    except (ValueError, UnicodeError, binascii.Error):
        raise PydanticCustomError("cursor", "Invalid cursor: pass next_cursor of the previous page") from None
    return cursor.model_copy(update={"updated_since": as_utc(cursor.updated_since)})


CursorText = Annotated[str, Field(max_length=200), AfterValidator(_decode_cursor)]
