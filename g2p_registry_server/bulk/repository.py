"""The queries of bulk imports: set-based, a constant number of statements per batch.

New rows go in through SQLAlchemy Core executemany (multi-row INSERT ... RETURNING where the ids
are needed), not through ORM objects: a batch of a thousand individuals costs a few statements.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from ..registrants.models import Registrant, RegistrantId


@dataclass(frozen=True)
class IdHolder:
    registrant_id: int
    is_group: bool
    active: bool


def id_holders(session: Session, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], IdHolder]:
    """Who holds each of the given (ID type id, value) pairs, among those held at all."""
    values_by_type: dict[int, set[str]] = {}
    for type_id, value in pairs:
        values_by_type.setdefault(type_id, set()).add(value)
    if not values_by_type:
        return {}
    # One condition per ID type, so that the (type, value) unique index serves the lookup.
    conditions = [
        and_(RegistrantId.id_type_id == type_id, RegistrantId.value.in_(sorted(values)))
        for type_id, values in values_by_type.items()
    ]
    rows = session.execute(
        select(
            RegistrantId.id_type_id,
            RegistrantId.value,
            RegistrantId.registrant_id,
            Registrant.is_group,
            Registrant.active,
        )
        .join(Registrant, Registrant.id == RegistrantId.registrant_id)
        .where(or_(*conditions))
    )
    return {(row[0], row[1]): IdHolder(row[2], row[3], row[4]) for row in rows}


def registrants_for_update(session: Session, registrant_ids: Iterable[int]) -> dict[int, Registrant]:
    """The registrants with their IDs and phones, locked in id order (PostgreSQL) so that
    concurrent batches and single updates of the same registrants queue instead of interleaving."""
    ids = sorted(set(registrant_ids))
    if not ids:
        return {}
    query = (
        select(Registrant)
        .where(Registrant.id.in_(ids))
        .options(selectinload(Registrant.reg_ids), selectinload(Registrant.phone_number_ids))
        .order_by(Registrant.id)
        .with_for_update(of=Registrant)
    )
    return {registrant.id: registrant for registrant in session.scalars(query)}


def insert_returning_ids(session: Session, table: Table, rows: Sequence[dict]) -> list[int]:
    """Insert the rows; their new ids in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, list(rows)).scalars())


def insert_rows(session: Session, table: Table, rows: Sequence[dict]) -> None:
    if rows:
        session.execute(insert(table), list(rows))
