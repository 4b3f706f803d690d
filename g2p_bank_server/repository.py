"""Every database query of the bank extension (the service decides, this module reads and writes)."""

from collections.abc import Collection, Iterable, Sequence
from typing import cast

from sqlalchemy import Row, Table, bindparam, exists, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from g2p_registry_server.bulk.repository import allocate_ids, insert_many
from g2p_registry_server.registrants.models import Registrant
from g2p_registry_server.registrants.repository import is_record_id

from .models import Bank, BankAccount, BankAccountEvent

ACCOUNT_COLUMNS = (
    "registrant_id",
    "bank_id",
    "acc_number",
    "normalized_number",
    "acc_holder_name",
    "sequence",
    "active",
    "create_date",
    "write_date",
)
_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


# Built once, with expanding IN parameters: the queries of every request that carries accounts
# or answers with them, spared building and cache-keying a statement each time. The bank lookup
# is a Core statement on the table's columns: its rows are plain, and the ORM's execution layer
# (about half of the lookup's time) has nothing to add.
_BANKS = Bank.__table__.c
_FIND_BANKS = (
    select(_BANKS.id, _BANKS.name, _BANKS.name_key, _BANKS.bic)
    .where(
        or_(
            _BANKS.bic.in_(bindparam("bics", expanding=True)),
            _BANKS.name_key.in_(bindparam("name_keys", expanding=True)),
        )
    )
    .order_by(_BANKS.id)
)
_ACTIVE_ACCOUNTS = (
    select(
        BankAccount.registrant_id,
        BankAccount.id,
        Bank.name.label("bank_name"),
        Bank.bic,
        BankAccount.acc_number,
        BankAccount.acc_holder_name,
    )
    .join(Bank, BankAccount.bank_id == Bank.id)
    .where(
        BankAccount.registrant_id.in_(bindparam("registrant_ids", expanding=True)),
        BankAccount.active.is_(True),
    )
    .order_by(BankAccount.registrant_id, BankAccount.sequence, BankAccount.id)
)
_OTHER_ACCOUNT = aliased(BankAccount, name="other_account")
_OTHER_HOLDER = aliased(Registrant, name="other_holder")
# The same, each account with whether another active registrant holds its number actively
# (through the index on normalized_number): answers mark them `shared` at no extra query.
_ACTIVE_ACCOUNTS_MARKED = _ACTIVE_ACCOUNTS.add_columns(
    exists()
    .where(
        _OTHER_ACCOUNT.normalized_number == BankAccount.normalized_number,
        _OTHER_ACCOUNT.registrant_id != BankAccount.registrant_id,
        _OTHER_ACCOUNT.active.is_(True),
        _OTHER_HOLDER.id == _OTHER_ACCOUNT.registrant_id,
        _OTHER_HOLDER.active.is_(True),
    )
    .label("shared")
)


def find_banks(session: Session, *, bics: Collection[str], name_keys: Collection[str]) -> Sequence[Row]:
    """The banks with one of ``bics``, and every bank (with or without BIC) with one of ``name_keys``,
    oldest first, as rows of (id, name, name_key, bic).

    Unlike an ORM query, it does not flush the session first: it reads banks only, which nothing
    pending in the session changes (banks are inserted with statements of their own)."""
    if not bics and not name_keys:
        return ()
    parameters = {"bics": sorted(bics), "name_keys": sorted(name_keys)}
    return session.connection().execute(_FIND_BANKS, parameters).all()


def insert_banks_if_absent(session: Session, rows: Sequence[dict]) -> list[int]:
    """Insert banks, silently skipping those another transaction inserted first; the ids of
    the banks this one inserted.

    The conflict is detected by the unique BIC and BIC-less name key constraints, so that
    concurrent requests (in other worker processes) end with one bank; PostgreSQL waits for the
    other transaction and skips the row once it commits. Callers insert in a stable order, so two
    transactions inserting several banks wait for each other in one direction only.
    """
    dialect = session.get_bind().dialect.name
    # Both dialects' inserts have ON CONFLICT; their common type does not say so.
    statement = _DIALECT_INSERTS[dialect](Bank).values(list(rows)).on_conflict_do_nothing()  # type: ignore[attr-defined]
    return list(session.execute(statement.returning(Bank.id)).scalars())


def banks_by_id(session: Session, bank_ids: Iterable[int]) -> Sequence[Row]:
    """Rows of (id, name, name_key, bic) of the given banks."""
    query = select(_BANKS.id, _BANKS.name, _BANKS.name_key, _BANKS.bic).where(_BANKS.id.in_(sorted(bank_ids)))
    return session.connection().execute(query).all()


def registrant_exists(session: Session, registrant_id: int, *, lock: bool = False) -> bool:
    """Whether the registrant exists; with ``lock``, its row stays locked until the transaction ends.

    Concurrent writes to one registrant's accounts queue up on that lock on PostgreSQL, so the
    second one plans its writes from the accounts the first one committed. SQLite ignores
    FOR UPDATE: there a write transaction (BEGIN IMMEDIATE) already excludes every other writer.
    """
    if not is_record_id(registrant_id):
        return False
    query = select(Registrant.id).where(Registrant.id == registrant_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none() is not None


def accounts_of(session: Session, registrant_id: int) -> Sequence[BankAccount]:
    """All accounts of one registrant, archived ones included."""
    return session.scalars(
        select(BankAccount)
        .where(BankAccount.registrant_id == registrant_id)
        .order_by(BankAccount.sequence, BankAccount.id)
    ).all()


def active_accounts_of(
    session: Session, registrant_ids: Iterable[int], *, marked: bool = False
) -> Sequence[Row]:
    """The active accounts of several registrants, each registrant's primary first, as rows of
    (registrant_id, id, bank_name, bic, acc_number, acc_holder_name), and with ``marked``,
    ``shared``: whether another active registrant holds the number."""
    ids = sorted(set(registrant_ids))
    if not ids:
        return ()
    query = _ACTIVE_ACCOUNTS_MARKED if marked else _ACTIVE_ACCOUNTS
    return session.execute(query, {"registrant_ids": ids}).all()


def add_account(session: Session, account: BankAccount) -> None:
    session.add(account)


def accounts_by_registrant(session: Session, registrant_ids: Iterable[int]) -> dict[int, list[BankAccount]]:
    """All accounts (archived included) of several registrants, in one query."""
    ids = sorted(set(registrant_ids))
    accounts: dict[int, list[BankAccount]] = {registrant_id: [] for registrant_id in ids}
    if ids:
        query = (
            select(BankAccount)
            .where(BankAccount.registrant_id.in_(ids))
            .order_by(BankAccount.registrant_id, BankAccount.sequence, BankAccount.id)
        )
        for account in session.scalars(query):
            accounts[account.registrant_id].append(account)
    return accounts


def allocate_account_ids(session: Session, count: int) -> list[int]:
    return allocate_ids(session, cast(Table, BankAccount.__table__), count)


def insert_accounts(session: Session, rows: Sequence[tuple]) -> None:
    """New accounts of a bulk import (tuples of ``id`` then ``ACCOUNT_COLUMNS``, ids from
    ``allocate_account_ids``), in one executemany."""
    insert_many(session, cast(Table, BankAccount.__table__), ("id", *ACCOUNT_COLUMNS), rows)


_INSERT_ACCOUNTS_RETURNING_IDS = insert(cast(Table, BankAccount.__table__)).returning(
    BankAccount.__table__.c.id, BankAccount.__table__.c.normalized_number
)


def insert_accounts_returning_ids(session: Session, rows: Sequence[dict]) -> dict[str, int]:
    """Insert new accounts (rows of column values) of one registrant in one statement; their
    ids by normalized number (unique per registrant; RETURNING gives no order).

    A Core statement built once: no ORM objects to build from the returned rows, and a compiled
    form SQLAlchemy caches (it does not cache the dialects' own insert constructs). Every row
    has every column (None included), so that all rows go in one statement."""
    if not rows:
        return {}
    return {
        number: account_id
        for account_id, number in session.execute(_INSERT_ACCOUNTS_RETURNING_IDS, list(rows))
    }


# --- the audit trail -----------------------------------------------------------------------------

EVENT_COLUMNS = (
    "time",
    "kind",
    "actor",
    "api_key",
    "method",
    "route",
    "request_id",
    "registrant_id",
    "account_id",
    "bank_id",
    "acc_number",
    "changes",
    "count",
    "first_registrant_id",
    "last_registrant_id",
)
_EVENTS = BankAccountEvent.__table__.c


def insert_events(session: Session, rows: Sequence[tuple]) -> None:
    """Events (tuples in ``EVENT_COLUMNS`` order) in one statement: COPY or one executemany."""
    insert_many(session, cast(Table, BankAccountEvent.__table__), EVENT_COLUMNS, rows)


def registrant_events(
    session: Session, *, registrant_id: int, before: int | None, limit: int
) -> Sequence[Row]:
    """Up to ``limit`` events of the registrant, newest first, older than event ``before``."""
    query = select(BankAccountEvent.__table__).where(_EVENTS.registrant_id == registrant_id)
    if before is not None:
        query = query.where(_EVENTS.id < before)
    return session.execute(query.order_by(_EVENTS.id.desc()).limit(limit)).all()


def events_after(session: Session, *, after: int | None, limit: int) -> Sequence[Row]:
    """Up to ``limit`` events, oldest first, newer than event ``after``."""
    query = select(BankAccountEvent.__table__)
    if after is not None:
        query = query.where(_EVENTS.id > after)
    return session.execute(query.order_by(_EVENTS.id).limit(limit)).all()
