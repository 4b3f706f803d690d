"""The audit trail of bank details (contract section 6): which events a change makes, what each
event says, and how the trail is paged.

Both runtimes store events in a table of their own (an append-only Odoo model, a SQLAlchemy
table) but decide them here: which kind, which fields changed (before and after), how a number
is shown (its last four characters), and the request id that ties the events of one request.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from .account_number import mask_account_number

HISTORY_PAGE_LIMIT = 500
"""At most this many events in one page of either route (`limit` above it is refused)."""
DEFAULT_PAGE_LIMIT = 100

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


class EventKind(StrEnum):
    CREATED = "created"
    """An account was added to a registrant."""
    UPDATED = "updated"
    """Some of an active account's audited fields changed (listed in ``changes``)."""
    ARCHIVED = "archived"
    """An account was removed from a registrant: kept, no longer listed nor paid."""
    REACTIVATED = "reactivated"
    """An archived account became active again (``changes`` lists what changed with it)."""
    BANK_CREATED = "bank_created"
    """A bank was created for a registrant's item."""
    REVEALED = "revealed"
    """An answer carried full account numbers."""


AUDITED_FIELDS = ("bank_name", "bic", "acc_holder_name", "primary")
"""The fields of an account whose every change is recorded, before and after."""


@dataclass(frozen=True)
class AccountState:
    """What the audit trail records of an account at one moment."""

    bank_name: str | None
    bic: str | None
    acc_holder_name: str | None
    primary: bool


class FieldChange(BaseModel):
    before: Any = None
    after: Any = None


def changed_fields(before: AccountState | None, after: AccountState | None) -> dict[str, FieldChange]:
    """Each audited field whose value differs, in ``AUDITED_FIELDS`` order.

    ``before`` None is an account being created: every field that has a value is listed (from
    null, or from false for ``primary``). ``after`` None lists nothing (an archive is its own event).
    """
    if after is None:
        return {}
    changes = {}
    for name in AUDITED_FIELDS:
        old = getattr(before, name) if before is not None else (False if name == "primary" else None)
        new = getattr(after, name)
        if old != new:
            changes[name] = FieldChange(before=old, after=new)
    return changes


def account_event_kind(
    *, existed: bool, was_active: bool, is_active: bool, changes: dict[str, FieldChange]
) -> EventKind | None:
    """The event one account's write makes in a request, or None when nothing audited changed.

    An account makes at most one event per request; ``changes`` are those of
    :func:`changed_fields` for its state before and after the whole request.
    """
    if not existed:
        return EventKind.CREATED if is_active else None
    if was_active and not is_active:
        return EventKind.ARCHIVED
    if not was_active and is_active:
        return EventKind.REACTIVATED
    if is_active and changes:
        return EventKind.UPDATED
    return None


def masked_number(number: str | None) -> str | None:
    """How an event shows an account number: its last four characters."""
    return mask_account_number(number) if number else None


def request_id(sent: str | None) -> str:
    """The id of a request in its events and in the answer's ``X-Request-ID`` header.

    The client's id when it sent a plausible one (at most 128 characters, no spaces or
    control characters), else a new random one.
    """
    if sent and _SAFE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    """Who made a request: the user's login, and the API key's name when a key was used."""

    login: str
    api_key: str | None = None


@dataclass(frozen=True)
class RequestOrigin:
    """What every event of one request shares."""

    actor: Actor
    method: str
    route: str
    request_id: str


def _in_utc(moment: datetime) -> datetime:
    """Times are stored as naive UTC; answered with their offset (RFC 3339 `date-time`)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class BankAccountEvent(BaseModel):
    """One event of the audit trail, as both routes answer it."""

    id: int
    time: Annotated[datetime, AfterValidator(_in_utc)] = Field(description="When the change was made, UTC")
    kind: EventKind
    actor: str = Field(description="Login of the user who made the request")
    api_key: str | None = Field(default=None, description="Name of the API key used, if any")
    method: str
    route: str
    request_id: str
    registrant_id: int | None = None
    account_id: int | None = None
    bank_id: int | None = None
    acc_number: str | None = Field(default=None, description="The account number's last four characters")
    changes: dict[str, FieldChange] = Field(
        default={}, description="Each changed field (bank_name, bic, acc_holder_name, primary): before, after"
    )
    count: int | None = Field(
        default=None, description="For a revealed page or file: how many registrants it carried"
    )
    first_registrant_id: int | None = None
    last_registrant_id: int | None = None


class RegistrantHistoryPage(BaseModel):
    items: list[BankAccountEvent] = Field(description="Newest first")
    next_before: int | None = Field(
        description="Pass it as `before` for the next (older) page; null on the last page"
    )

    @classmethod
    def of(cls, read: Sequence[BankAccountEvent], limit: int) -> "RegistrantHistoryPage":
        """The page of ``limit`` events from ``read``, newest first, read with one more row than
        the page holds, so that a next page shows without another query."""
        items = list(read[:limit])
        return cls(items=items, next_before=items[-1].id if len(read) > limit else None)


class EventFeedPage(BaseModel):
    items: list[BankAccountEvent] = Field(description="Oldest first")
    last_id: int | None = Field(
        description="Id of the last event of this page: pass it as `after` to read on (null when empty)"
    )

    @classmethod
    def of(cls, read: Sequence[BankAccountEvent]) -> "EventFeedPage":
        """The page of the events ``read``, oldest first (an empty page: none yet, poll later)."""
        return cls(items=list(read), last_id=read[-1].id if read else None)


def write_order(
    kind: EventKind, *, registrant_id: int | None, account_id: int | None, bank_id: int | None
) -> tuple:
    """The order in which one request's events are written (and so numbered): banks created
    first, then the accounts' events by registrant and account, then what the answer revealed.
    Both runtimes sort by it, so that the same request leaves the same trail whatever order
    their code met the accounts in."""
    if kind is EventKind.BANK_CREATED:
        return (0, bank_id or 0, 0)
    if kind is EventKind.REVEALED:
        return (2, registrant_id or 0, 0)
    return (1, registrant_id or 0, account_id or 0)
