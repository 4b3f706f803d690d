"""The one query behind the payment list, in SQLAlchemy Core, streamed row by row.

A registrant is listed when it is active and holds or held a bank account: one whose accounts
were all archived is listed with no account, so that a payment system syncing with
``updated_since`` learns that it can no longer be paid. Its primary account is its first active
account in (sequence, id) order, as everywhere else.

Rows come ordered by registrant id (then by ID), one row per ID of the registrant; the keyset
is the registrant id: ids only grow, so paging ``id > last seen id`` never repeats or skips a
registrant that existed when paging started.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, Select, and_, exists, func, or_, select

from g2p_registry_server.registrants.models import IdType, Registrant, RegistrantId

from ..models import Bank, BankAccount

_registrant = Registrant.__table__
_reg_id = RegistrantId.__table__
_account = BankAccount.__table__
_bank = Bank.__table__
STREAM_CHUNK = 2000


class PaymentAccount(NamedTuple):
    registrant_id: int
    name: str
    is_group: bool
    ids: list[tuple[str, str]]  # (ID type, value)
    account: tuple | None  # (account id, bank name, BIC, account number, holder name)


def _listed(*, after_id: int, updated_since: datetime | None) -> list:
    accounts = _account.alias("any_account")
    conditions = [
        _registrant.c.active.is_(True),
        _registrant.c.id > after_id,
        exists().where(accounts.c.registrant_id == _registrant.c.id),
    ]
    if updated_since is not None:
        changed = _account.alias("changed_account")
        conditions.append(
            or_(
                _registrant.c.write_date >= updated_since,
                exists().where(
                    and_(changed.c.registrant_id == _registrant.c.id, changed.c.write_date >= updated_since)
                ),
            )
        )
    return conditions


def registrants_query(*, after_id: int, updated_since: datetime | None, limit: int | None) -> Select:
    """Listed registrants with the id of their primary account, one row each."""
    primary = _account.alias("primary_candidate")
    primary_account_id = (
        select(primary.c.id)
        .where(primary.c.registrant_id == _registrant.c.id, primary.c.active.is_(True))
        .order_by(primary.c.sequence, primary.c.id)
        .limit(1)
        .correlate(_registrant)
        .scalar_subquery()
    )
    query = (
        select(
            _registrant.c.id,
            _registrant.c.name,
            _registrant.c.is_group,
            primary_account_id.label("account_id"),
        )
        .where(*_listed(after_id=after_id, updated_since=updated_since))
        .order_by(_registrant.c.id)
    )
    return query.limit(limit) if limit is not None else query


def rows_query(
    *, after_id: int = 0, updated_since: datetime | None = None, limit: int | None = None
) -> Select:
    listed = registrants_query(after_id=after_id, updated_since=updated_since, limit=limit).subquery("listed")
    return (
        select(
            listed.c.id,
            listed.c.name,
            listed.c.is_group,
            _reg_id.c.id_type_id,
            _reg_id.c.value,
            _account.c.id,
            _bank.c.name,
            _bank.c.bic,
            _account.c.acc_number,
            _account.c.acc_holder_name,
        )
        .select_from(
            listed.outerjoin(_reg_id, _reg_id.c.registrant_id == listed.c.id)
            .outerjoin(_account, _account.c.id == listed.c.account_id)
            .outerjoin(_bank, _bank.c.id == _account.c.bank_id)
        )
        .order_by(listed.c.id, _reg_id.c.id)
    )


def count_listed(connection: Connection, *, updated_since: datetime | None) -> int:
    query = (
        select(func.count()).select_from(_registrant).where(*_listed(after_id=0, updated_since=updated_since))
    )
    return connection.execute(query).scalar_one()


def id_type_names(connection: Connection) -> dict[int, str]:
    return dict(connection.execute(select(IdType.id, IdType.name)).tuples().all())


def payment_accounts(
    connection: Connection,
    *,
    after_id: int = 0,
    updated_since: datetime | None = None,
    limit: int | None = None,
    stream: bool = False,
) -> Iterator[PaymentAccount]:
    """The listed registrants in id order; ``stream``: through a server-side cursor (PostgreSQL)
    fetched in chunks, so that memory stays flat however many there are."""
    type_names = id_type_names(connection)
    if stream:
        connection = connection.execution_options(stream_results=True, yield_per=STREAM_CHUNK)
    result = connection.execute(rows_query(after_id=after_id, updated_since=updated_since, limit=limit))
    # One row per ID of a registrant: rows of one registrant are folded into one item. Plain
    # tuples on this path: it runs once per registrant of the whole registry on export.
    make = PaymentAccount._make
    current: PaymentAccount | None = None
    for registrant_id, name, is_group, type_id, value, account_id, *account in result.tuples():
        if current is None or current[0] != registrant_id:
            if current is not None:
                yield current
            current = make(
                (
                    registrant_id,
                    name,
                    bool(is_group),
                    [],
                    None if account_id is None else (account_id, *account),
                )
            )
        if type_id is not None:
            current[3].append((type_names[type_id], value))
    if current is not None:
        yield current
