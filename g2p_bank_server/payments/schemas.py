"""Answers of `GET /payment_accounts`, and the opaque cursor that pages through them."""

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from .query import PaymentAccount


class PaymentRegistrantId(BaseModel):
    id_type: str
    value: str


class PayoutAccount(BaseModel):
    id: int
    bank_name: str
    bic: str | None = None
    acc_number: str
    acc_holder_name: str | None = None


class PaymentAccountItem(BaseModel):
    registrant_id: int
    name: str
    is_group: bool
    ids: list[PaymentRegistrantId]
    account: PayoutAccount | None = Field(
        description="The primary account (payments go to it); null when every account was archived"
    )

    @classmethod
    def of(cls, listed: PaymentAccount) -> "PaymentAccountItem":
        account = None
        if listed.account is not None:
            account_id, bank_name, bic, acc_number, holder = listed.account
            account = PayoutAccount(
                id=account_id, bank_name=bank_name, bic=bic, acc_number=acc_number, acc_holder_name=holder
            )
        return cls(
            registrant_id=listed.registrant_id,
            name=listed.name,
            is_group=listed.is_group,
            ids=[PaymentRegistrantId(id_type=id_type, value=value) for id_type, value in listed.ids],
            account=account,
        )


class PaymentAccountsPage(BaseModel):
    items: list[PaymentAccountItem]
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page; null on the last page"
    )


class PageCursor(BaseModel):
    """Where a page ends and the filter it was read with; travels base64-encoded."""

    after: int = Field(ge=0)
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
        return PageCursor.model_validate(json.loads(base64.urlsafe_b64decode(padded.encode("ascii"))))
    except (ValueError, UnicodeError, binascii.Error):
        raise PydanticCustomError("cursor", "Invalid cursor: pass next_cursor of the previous page") from None


CursorText = Annotated[str, Field(max_length=200), AfterValidator(_decode_cursor)]
