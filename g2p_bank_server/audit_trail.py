"""The audit trail of bank details in the standalone server: the events of one transaction,
decided by ``rules.audit`` from each touched registrant's accounts before and after it, and
written in one statement when the transaction commits.

The write paths (``service``, ``bulk``) tell the transaction's trail which registrants' accounts
they change and what those were before the first change; the banks the request found or created
are told by ``BankDirectory``. A ``before_commit`` listener then compares, per account, its
state before the transaction with its state at commit (one event per account and transaction,
however many times a request touched it), and inserts every event in one statement inside the
committing transaction. So a rolled-back request leaves no event, and no path that commits a
change of accounts can leave it unrecorded. Who made the change comes from the session's
``WriteOrigin`` (the registry's: user, API key, route, method, request id).
"""

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from g2p_bank_server.rules import audit
from g2p_registry_server.db import utc_now
from g2p_registry_server.origin import WriteOrigin, is_read_session, origin_of, write_after_read

from . import repository

_TRAIL_KEY = "g2p_bank_audit_trail"
UNATTRIBUTED = WriteOrigin(login="system", api_key=None, method="", route="", request_id=None)
"""The origin of writes made outside a request or command that attaches one."""


class AccountLike(Protocol):
    """An account as the trail reads it: an ORM object or a snapshot."""

    @property
    def id(self) -> int: ...
    @property
    def acc_number(self) -> str: ...
    @property
    def bank_id(self) -> int: ...
    @property
    def acc_holder_name(self) -> str | None: ...
    @property
    def sequence(self) -> int: ...
    @property
    def active(self) -> bool: ...


@dataclass(frozen=True)
class AccountSnapshot:
    """What the trail compares of an account: its audited values, and what makes it primary
    (the first active account by sequence, then id)."""

    id: int
    acc_number: str
    bank_id: int
    acc_holder_name: str | None
    sequence: int
    active: bool


def snapshot(account: AccountLike) -> AccountSnapshot:
    if isinstance(account, AccountSnapshot):
        return account
    return AccountSnapshot(
        id=account.id,
        acc_number=account.acc_number,
        bank_id=account.bank_id,
        acc_holder_name=account.acc_holder_name,
        sequence=account.sequence,
        active=account.active,
    )


def _by_id(account: AccountSnapshot) -> int:
    return account.id


def _encoded(changes: dict[str, audit.FieldChange]) -> str | None:
    """``changes`` as the event stores them: JSON text, null when there are none."""
    if not changes:
        return None
    return json.dumps({name: {"before": c.before, "after": c.after} for name, c in changes.items()})


@functools.lru_cache(maxsize=4096)
def _decision(before: tuple | None, after: tuple) -> tuple[audit.EventKind | None, str | None]:
    """The event kind and the JSON of the changes of an account whose state (bank name, BIC,
    holder name, primary, active) was ``before`` (None: it did not exist) and is ``after``.

    Cached for the process: requests and bulk imports repeat the same few transitions over and
    over, and deciding one (the rules' states and changes, their JSON) costs more than the rest
    of an event."""
    changes = audit.changed_fields(
        audit.AccountState(*before[:4]) if before is not None else None,
        audit.AccountState(*after[:4]) if after[4] else None,
    )
    kind = audit.account_event_kind(
        existed=before is not None,
        was_active=before is not None and before[4],
        is_active=after[4],
        changes=changes,
    )
    return kind, _encoded(changes)


def _primary_id(accounts: Iterable[AccountSnapshot]) -> int | None:
    active = [(account.sequence, account.id) for account in accounts if account.active]
    return min(active)[1] if active else None


@dataclass
class RevealedPage:
    """The registrants whose full numbers a page or a file carries, counted as they are listed."""

    count: int = 0
    first: int = 0
    last: int = 0

    def add(self, registrant_id: int) -> None:
        if not self.count:
            self.first = registrant_id
        self.count += 1
        self.last = registrant_id


class AuditTrail:
    """The account changes of one transaction, turned into events when it commits."""

    def __init__(self) -> None:
        # Registrant id -> its accounts before the transaction's first change to them.
        self._before: dict[int, list[AccountSnapshot]] = {}
        # Registrant id -> its accounts after the last change (ORM objects are read at commit).
        self._after: dict[int, list[AccountLike]] = {}
        # Bank id -> (name, BIC), for the banks the transaction named; and those it created.
        self._banks: dict[int, tuple[str, str | None]] = {}
        self._created_banks: list[int] = []
        # Full numbers the transaction answered: per registrant, and per page of a list.
        self._revealed_registrants: dict[int, None] = {}
        self._revealed_pages: list[tuple[int, int, int]] = []

    def touch(self, registrant_id: int, before: Iterable[AccountLike]) -> None:
        """Called before a change of the registrant's accounts with all of them (archived
        included); only the first call of a transaction counts."""
        if registrant_id not in self._before:
            self._before[registrant_id] = [snapshot(account) for account in before]

    def changed(self, registrant_id: int, after: Iterable[AccountLike]) -> None:
        """Called after a change with all the registrant's accounts: their state at commit counts."""
        self._after[registrant_id] = list(after)

    def know_banks(self, rows: Iterable[Any]) -> None:
        """Banks (rows with id, name, bic) the transaction found or created."""
        for row in rows:
            self._banks[row.id] = (row.name, row.bic)

    def banks_created(self, bank_ids: Iterable[int]) -> None:
        self._created_banks.extend(bank_ids)

    def revealed(self, registrant_ids: Iterable[int]) -> None:
        """Full account numbers of these registrants are being answered (one event each)."""
        self._revealed_registrants.update(dict.fromkeys(registrant_ids))

    def page_revealed(self, revealed: "RevealedPage") -> None:
        """A page (or file) of full numbers is being answered: one event with its count, first
        and last registrant."""
        if revealed.count:
            self._revealed_pages.append((revealed.count, revealed.first, revealed.last))

    def is_empty(self) -> bool:
        return not (self._after or self._created_banks or self._revealed_registrants or self._revealed_pages)

    def only_reveals(self) -> bool:
        return not self._after and not self._created_banks

    def event_rows(self, session: Session, origin: WriteOrigin) -> list[tuple]:
        """The transaction's events as rows of ``repository.EVENT_COLUMNS``."""
        common = _Common(origin)
        after = {
            registrant_id: [snapshot(account) for account in accounts]
            for registrant_id, accounts in self._after.items()
        }
        self._look_up_banks(session, after)
        created_banks = dict.fromkeys(self._created_banks)
        rows: list[tuple] = []
        for registrant_id, accounts in after.items():
            account_rows = self._account_rows(
                common, registrant_id, self._before.get(registrant_id, ()), accounts
            )
            for bank_id in dict.fromkeys(account.bank_id for account in accounts):
                if bank_id in created_banks:
                    del created_banks[bank_id]
                    rows.append(self._bank_row(common, bank_id, registrant_id))
            rows += account_rows
        # A created bank no account took (not expected: every item makes or updates an account).
        rows += [self._bank_row(common, bank_id, None) for bank_id in created_banks]
        rows += [
            common.row(audit.EventKind.REVEALED, registrant_id=registrant_id, encoded_changes=None)
            for registrant_id in self._revealed_registrants
        ]
        rows += [
            common.row(audit.EventKind.REVEALED, registrant_id=None, encoded_changes=None, page=page)
            for page in self._revealed_pages
        ]
        # One order for both runtimes (rules.audit.write_order): what code met first does not matter.
        rows.sort(key=_write_order)
        return rows

    def _look_up_banks(self, session: Session, after: dict[int, list[AccountSnapshot]]) -> None:
        """Name and BIC of the banks accounts left (one query, only when some did): the banks
        accounts have now are known, the request named them. An account that kept its bank
        shows it unchanged without it."""
        now = {account.id: account.bank_id for accounts in after.values() for account in accounts}
        missing = {
            account.bank_id
            for before in self._before.values()
            for account in before
            if now.get(account.id, account.bank_id) != account.bank_id and account.bank_id not in self._banks
        }
        if missing:
            self.know_banks(repository.banks_by_id(session, missing))

    def _bank(self, bank_id: int) -> tuple[str | None, str | None]:
        return self._banks.get(bank_id, (None, None))

    def _state(self, account: AccountSnapshot, primary_id: int | None) -> tuple:
        """(bank name, BIC, holder name, primary, active): what ``_decision`` compares."""
        bank_name, bic = self._bank(account.bank_id)
        return (bank_name, bic, account.acc_holder_name, account.id == primary_id, account.active)

    def _account_rows(
        self,
        common: "_Common",
        registrant_id: int,
        before: Sequence[AccountSnapshot],
        after: Sequence[AccountSnapshot],
    ) -> list[tuple]:
        was = {account.id: account for account in before}
        primary_before, primary_after = _primary_id(before), _primary_id(after)
        rows = []
        for account in sorted(after, key=_by_id):
            old = was.get(account.id)
            kind, encoded = _decision(
                self._state(old, primary_before) if old is not None else None,
                self._state(account, primary_after),
            )
            if kind is not None:
                rows.append(
                    common.row(
                        kind,
                        registrant_id=registrant_id,
                        account_id=account.id,
                        bank_id=account.bank_id,
                        acc_number=audit.masked_number(account.acc_number),
                        encoded_changes=encoded,
                    )
                )
        return rows

    def _bank_row(self, common: "_Common", bank_id: int, registrant_id: int | None) -> tuple:
        name, bic = self._bank(bank_id)
        changes = audit.changed_fields(None, audit.AccountState(name, bic, None, False))
        return common.row(
            audit.EventKind.BANK_CREATED,
            registrant_id=registrant_id,
            bank_id=bank_id,
            encoded_changes=_encoded(changes),
        )


class _Common:
    """What every event of one transaction shares."""

    def __init__(self, origin: WriteOrigin) -> None:
        self.head = (utc_now(),)
        self.origin = (
            origin.login,
            origin.api_key,
            origin.method,
            origin.route,
            origin.request_id or audit.request_id(None),
        )

    def row(
        self,
        kind: audit.EventKind,
        *,
        registrant_id: int | None,
        account_id: int | None = None,
        bank_id: int | None = None,
        acc_number: str | None = None,
        encoded_changes: str | None,
        page: tuple[int, int, int] | None = None,
    ) -> tuple:
        return (
            *self.head,
            kind.value,
            *self.origin,
            registrant_id,
            account_id,
            bank_id,
            acc_number,
            encoded_changes,
            *(page or (None, None, None)),
        )


_KINDS = {kind.value: kind for kind in audit.EventKind}


def _write_order(row: tuple) -> tuple:
    # Columns of repository.EVENT_COLUMNS: kind, then registrant, account and bank at 7, 8, 9.
    return audit.write_order(_KINDS[row[1]], registrant_id=row[7], account_id=row[8], bank_id=row[9])


def trail_of(session: Session) -> AuditTrail:
    """The trail of the session's current transaction (made on first use)."""
    trail = session.info.get(_TRAIL_KEY)
    if trail is None:
        trail = session.info[_TRAIL_KEY] = AuditTrail()
    return trail


@event.listens_for(Session, "before_commit")
def _write_events(session: Session) -> None:
    trail: AuditTrail | None = session.info.pop(_TRAIL_KEY, None)
    if trail is None or trail.is_empty():
        return
    origin = origin_of(session) or UNATTRIBUTED
    if is_read_session(session) and trail.only_reveals():
        # A read answering full numbers: recorded by a write transaction once the read is over.
        rows = trail.event_rows(session, origin)
        write_after_read(session, lambda writer: repository.insert_events(writer, rows))
        return
    # ORM changes first: accounts the session adds get their ids, and are read as committed.
    session.flush()
    repository.insert_events(session, trail.event_rows(session, origin))


@event.listens_for(Session, "after_soft_rollback")
def _forget_events(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_TRAIL_KEY, None)
