"""The queries of bulk imports: set-based, a constant number of statements per batch.

New rows go in with one COPY (PostgreSQL) or executemany (SQLite) per table, with ids allocated
beforehand, not through ORM objects: a batch of a thousand individuals costs a few statements.
"""

import functools
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, String, Table, and_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.types import TypeEngine

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
    found: dict[tuple[int, str], IdHolder] = {}
    postgresql = session.get_bind().dialect.name == "postgresql"
    for type_id, values in values_by_type.items():
        if postgresql:
            # Joined from an unnested array: a plan that looks each value up in the (type, value)
            # index whatever the statistics, also once psycopg has prepared the statement (a
            # generic plan of `value IN ($1 ... $1000)` scans the whole table).
            array = bindparam("values", sorted(values), type_=ARRAY(String))
            wanted = func.unnest(array).table_valued("value").render_derived(name="wanted")
            query = select(wanted.c.value).join(
                RegistrantId, and_(RegistrantId.id_type_id == type_id, RegistrantId.value == wanted.c.value)
            )
        else:
            query = select(RegistrantId.value).where(
                RegistrantId.id_type_id == type_id, RegistrantId.value.in_(sorted(values))
            )
        query = query.add_columns(RegistrantId.registrant_id, Registrant.is_group, Registrant.active).join(
            Registrant, Registrant.id == RegistrantId.registrant_id
        )
        for value, registrant_id, is_group, active in session.execute(query):
            found[(type_id, value)] = IdHolder(registrant_id, is_group, active)
    return found


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


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, in increasing order, so that a batch inserts its
    rows with their ids in one executemany (no RETURNING round trips).

    PostgreSQL draws them from the table's sequence. SQLite counts on from the largest id: the
    bulk import writes in a transaction that holds the database's write lock (BEGIN IMMEDIATE),
    so no other writer can take the same ids; nothing is ever deleted, so ids only grow."""
    if count <= 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": count},
        )
        return sorted(drawn.scalars())
    largest = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(largest + 1, largest + 1 + count))


# Up to this many rows, PostgreSQL gets one multi-row INSERT instead of a COPY.
FEW_ROWS = 64


def insert_many(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order) in one go: COPY on PostgreSQL (one
    multi-row INSERT for `FEW_ROWS` or fewer), one executemany on SQLite, inside the session's
    transaction.

    The column types' bind processors are applied column by column, as SQLAlchemy does for its
    own statements (booleans and dates on SQLite), so the stored values are the same as the
    ORM's; skipping per-row parameter dictionaries and statements is what makes batches cheap."""
    if not rows:
        return
    connection = session.connection()
    target, processors = _insert_plan(table, tuple(columns), connection.dialect)
    if processors:
        # A batch repeats its timestamps and flags: each distinct value is converted once.
        processors = tuple(
            (position, functools.lru_cache(maxsize=64)(processor)) for position, processor in processors
        )
        values = [_processed(row, processors) for row in rows]
    else:
        values = [tuple(row) for row in rows]
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor:
            if len(values) <= FEW_ROWS:
                # One statement, one round trip (COPY takes two: its start, then the data).
                row_marks = f"({', '.join(['%s'] * len(columns))})"
                statement = f"INSERT INTO {target} VALUES {', '.join([row_marks] * len(values))}"  # noqa: S608 - names from metadata
                cursor.execute(statement, [value for row in values for value in row])
                return
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        return
    markers = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {target} VALUES ({markers})", values)  # noqa: S608 - names from metadata


@functools.lru_cache(maxsize=128)
def _insert_plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """The quoted target of an insert into ``table`` (``columns``) and the columns' bind
    processors, worked out once per table, columns and dialect: requests insert a few rows
    each, and the plan would otherwise cost more than the insert."""
    quote = dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(name) for name in columns)})"
    processors = tuple(
        (position, processor)
        for position, name in enumerate(columns)
        if (processor := _bind_processor(table.c[name].type, dialect)) is not None
    )
    return target, processors


def _bind_processor(column_type: TypeEngine, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a column's values are sent: the type's bind processor, or for SQLite's timestamps,
    which SQLAlchemy hands to the driver as they are, the driver's own adapter (applied here,
    so that a batch's timestamps, all the same, are adapted once instead of once per row)."""
    processor = column_type.bind_processor(dialect)
    adapter = sqlite3.adapters.get((datetime, sqlite3.PrepareProtocol))
    if processor is None and dialect.name == "sqlite" and isinstance(column_type, DateTime) and adapter:

        def processor(value: Any) -> Any:
            # The driver's own choice: adapters are looked up by exact type.
            return adapter(value) if type(value) is datetime else value

    return processor


def _processed(row: Sequence[Any], processors: Sequence[tuple[int, Any]]) -> tuple:
    values = list(row)
    for position, processor in processors:
        if values[position] is not None:
            values[position] = processor(values[position])
    return tuple(values)
