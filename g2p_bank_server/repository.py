"""Every database query of the bank extension (the service decides, this module reads and writes)."""

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import Row, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from g2p_registry_server.bulk.repository import insert_many
from g2p_registry_server.registrants.models import Registrant
from g2p_registry_server.registrants.repository import is_record_id

from .models import Bank, BankAccount

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


def find_banks(session: Session, *, bics: Collection[str], name_keys: Collection[str]) -> Sequence[Bank]:
    """The banks with one of ``bics``, and every bank (with or without BIC) with one of ``name_keys``."""
    conditions = []
    if bics:
        conditions.append(Bank.bic.in_(sorted(bics)))
    if name_keys:
        conditions.append(Bank.name_key.in_(sorted(name_keys)))
    if not conditions:
        return ()
    return session.scalars(select(Bank).where(or_(*conditions)).order_by(Bank.id)).all()


def insert_banks_if_absent(session: Session, rows: Sequence[dict]) -> None:
    """Insert banks, silently skipping those another transaction inserted first.

    The conflict is detected by the unique BIC and BIC-less name key constraints, so that
    concurrent requests (in other worker processes) end with one bank; PostgreSQL waits for the
    other transaction and skips the row once it commits. Callers insert in a stable order, so two
    transactions inserting several banks wait for each other in one direction only.
    """
    dialect = session.get_bind().dialect.name
    statement = _DIALECT_INSERTS[dialect](Bank).values(list(rows)).on_conflict_do_nothing()
    session.execute(statement)


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
    session: Session, registrant_ids: Iterable[int]
) -> Sequence[Row[tuple[BankAccount, Bank]]]:
    """The active accounts of several registrants with their banks, each registrant's primary first."""
    ids = sorted(set(registrant_ids))
    if not ids:
        return ()
    return session.execute(
        select(BankAccount, Bank)
        .join(Bank, BankAccount.bank_id == Bank.id)
        .where(BankAccount.registrant_id.in_(ids), BankAccount.active.is_(True))
        .order_by(BankAccount.registrant_id, BankAccount.sequence, BankAccount.id)
    ).all()


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


def insert_accounts(session: Session, rows: Sequence[tuple]) -> None:
    """New accounts of a bulk import (tuples in ``ACCOUNT_COLUMNS`` order), in one executemany."""
    insert_many(session, BankAccount.__table__, ACCOUNT_COLUMNS, rows)


def insert_accounts_returning(session: Session, rows: Sequence[dict]) -> Sequence[BankAccount]:
    """Insert new accounts in one statement; the stored accounts, in no particular order."""
    if not rows:
        return ()
    statement = _DIALECT_INSERTS[session.get_bind().dialect.name](BankAccount).returning(BankAccount)
    # render_nulls: rows with and without a holder name stay in one statement.
    return session.scalars(statement, list(rows), execution_options={"render_nulls": True}).all()
