"""Registrants as answers show them, read without the ORM: plain rows into frozen views.

Answers are the server's hottest path (every GET, and every write answers with what it
stored). Loading them as ORM objects with `selectinload` cost about 1.5 ms per registrant
answer, most of it building the loader options' cache keys and ORM instances; these statements
are built once, so their compiled form is reused. A list of registrants costs one query: each
row carries its IDs and its phone numbers as JSON arrays (`json_rows`), so that a GET sends one
statement for the registrant where it sent three (each statement is a round trip on PostgreSQL
and a pass through SQLAlchemy's execution everywhere). Groups cost one more for their
memberships and one for the members' kinds. The views carry the attribute names of the models,
so answer builders and extensions (`fill_answers` reads `registrant.id`) take either.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from .models import GroupKind, GroupMembership, IdType, MembershipKind, PhoneNumber, Registrant, RegistrantId
from .models import group_membership_kind as membership_kind_table


@dataclass(frozen=True, slots=True)
class NamedView:
    name: str


@dataclass(frozen=True, slots=True)
class RegistrantIdView:
    id: int
    value: str
    expiry_date: date | None
    id_type: NamedView


@dataclass(frozen=True, slots=True)
class PhoneNumberView:
    id: int
    phone_no: str
    phone_sanitized: str
    date_collected: date | None


@dataclass(frozen=True, slots=True)
class RegistrantView:
    id: int
    name: str
    given_name: str | None
    family_name: str | None
    addl_name: str | None
    is_group: bool
    gender: str | None
    birthdate: date | None
    birth_place: str | None
    email: str | None
    address: str | None
    registration_date: date | None
    is_partial_group: bool
    create_date: datetime
    write_date: datetime
    kind: NamedView | None
    reg_ids: list[RegistrantIdView] = field(default_factory=list)
    phone_number_ids: list[PhoneNumberView] = field(default_factory=list)
    group_membership_ids: list[MembershipView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MembershipView:
    id: int
    individual: RegistrantView
    kind: list[NamedView]
    create_date: datetime
    write_date: datetime


_registrant, _id, _phone = Registrant.__table__.c, RegistrantId.__table__.c, PhoneNumber.__table__.c
_membership, _kind = GroupMembership.__table__.c, MembershipKind.__table__.c
_SCALARS = (
    "id", "name", "given_name", "family_name", "addl_name", "is_group", "gender", "birthdate",
    "birth_place", "email", "address", "registration_date", "is_partial_group", "create_date", "write_date",
)  # fmt: skip
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)


class json_rows(FunctionElement[Any]):
    """An aggregate: one JSON array per row of its arguments, all in one JSON array (``[]`` for no
    row): `json_agg(json_build_array(...))` on PostgreSQL, `json_group_array(json_array(...))`
    on SQLite. Row order is not kept by either: readers sort the rows."""

    name = "json_rows"
    inherit_cache = True


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(json_agg(json_build_array({compiler.process(element.clauses, **kw)})), '[]')"


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def _rows_of(value: str | list) -> list[list]:
    """The rows of a `json_rows` column, in id order (psycopg decodes JSON, sqlite3 does not)."""
    return sorted(json.loads(value) if isinstance(value, str) else value)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


_ID_ROWS = (
    select(json_rows(_id.id, _id.value, _id.expiry_date, IdType.__table__.c.name))
    .join_from(RegistrantId.__table__, IdType.__table__, IdType.__table__.c.id == _id.id_type_id)
    .where(_id.registrant_id == _registrant.id)
    .scalar_subquery()
)
_PHONE_ROWS = (
    select(json_rows(_phone.id, _phone.phone_no, _phone.phone_sanitized, _phone.date_collected))
    .where(_phone.registrant_id == _registrant.id)
    .scalar_subquery()
)

# The registrant columns an answer shows, with the group kind's name, IDs and phone numbers: a
# base that callers filter.
REGISTRANT_ROWS: Select = select(
    *(_registrant[name] for name in _SCALARS),
    GroupKind.__table__.c.name.label("kind_name"),
    _ID_ROWS.label("id_rows"),
    _PHONE_ROWS.label("phone_rows"),
).outerjoin(GroupKind.__table__, GroupKind.__table__.c.id == _registrant.kind_id)
_REGISTRANTS_BY_IDS = REGISTRANT_ROWS.where(_registrant.id.in_(_IDS))
_MEMBERSHIPS = (
    select(_membership.group_id, _membership.id, _membership.individual_id, _membership.create_date)
    .add_columns(_membership.write_date)
    .where(_membership.group_id.in_(_IDS))
    .order_by(_membership.id)
)
_MEMBERSHIP_KINDS = (
    select(membership_kind_table.c.membership_id, _kind.name)
    .join(MembershipKind.__table__, _kind.id == membership_kind_table.c.kind_id)
    .where(membership_kind_table.c.membership_id.in_(_IDS))
    .order_by(_kind.id)
)


def _views(session: Session, rows: Sequence) -> list[RegistrantView]:
    """Views of the given registrant rows (columns of `REGISTRANT_ROWS`), in their order."""
    if not rows:
        return []
    groups = [row.id for row in rows if row.is_group]
    memberships = _memberships(session, groups) if groups else {}
    return [
        RegistrantView(
            **{name: row[index] for index, name in enumerate(_SCALARS)},
            kind=NamedView(row.kind_name) if row.kind_name is not None else None,
            reg_ids=[
                RegistrantIdView(id_, value, _date(expiry), NamedView(type_name))
                for id_, value, expiry, type_name in _rows_of(row.id_rows)
            ],
            phone_number_ids=[
                PhoneNumberView(id_, number, sanitized, _date(collected))
                for id_, number, sanitized, collected in _rows_of(row.phone_rows)
            ],
            group_membership_ids=memberships.get(row.id, []),
        )
        for row in rows
    ]


def _memberships(session: Session, group_ids: list[int]) -> dict[int, list[MembershipView]]:
    connection = session.connection()
    rows = connection.execute(_MEMBERSHIPS, {"ids": group_ids}).all()
    if not rows:
        return {}
    kinds: dict[int, list[NamedView]] = defaultdict(list)
    for membership_id, name in connection.execute(_MEMBERSHIP_KINDS, {"ids": [row.id for row in rows]}):
        kinds[membership_id].append(NamedView(name))
    members = {view.id: view for view in views_of(session, [row.individual_id for row in rows])}
    found: dict[int, list[MembershipView]] = defaultdict(list)
    for group_id, id_, individual_id, created, written in rows:
        found[group_id].append(
            MembershipView(id_, members[individual_id], kinds.get(id_, []), created, written)
        )
    return found


def views_of(session: Session, registrant_ids: Sequence[int]) -> list[RegistrantView]:
    """The registrants with these ids, in this order (ids not found are left out)."""
    if not registrant_ids:
        return []
    rows = session.connection().execute(_REGISTRANTS_BY_IDS, {"ids": list(set(registrant_ids))}).all()
    by_id = {view.id: view for view in _views(session, rows)}
    return [by_id[registrant_id] for registrant_id in registrant_ids if registrant_id in by_id]


def written_view(registrant: Registrant) -> RegistrantView:
    """The view of a registrant this transaction wrote and flushed, from its ORM object: what
    `views_of` would read back, in the same order, without reading it. Its row is this
    transaction's (created by it, or locked where an update found it), so the object holds what
    is stored: every column was loaded, or set or defaulted in Python (none of them has a server
    default, so a column a create never set was inserted as NULL).

    A relationship absent from the object's state is taken as empty: true of a created
    registrant (only the ORM writes its IDs, phones and memberships, `new_registrant` marks them
    loaded), and of an individual an update found, whose IDs and phones were loaded with it and
    who heads no memberships (only groups do)."""
    state = registrant.__dict__
    kind = state.get("kind")
    scalars: dict[str, Any] = {name: state.get(name) for name in _SCALARS}
    return RegistrantView(
        **scalars,
        kind=NamedView(kind.name) if kind is not None else None,
        reg_ids=[
            RegistrantIdView(reg_id.id, reg_id.value, reg_id.expiry_date, NamedView(reg_id.id_type.name))
            for reg_id in sorted(state.get("reg_ids", ()), key=_by_id)
        ],
        phone_number_ids=[
            PhoneNumberView(phone.id, phone.phone_no, phone.phone_sanitized, phone.date_collected)
            for phone in sorted(state.get("phone_number_ids", ()), key=_by_id)
        ],
        group_membership_ids=[
            MembershipView(
                membership.id,
                written_view(membership.individual),
                [NamedView(kind.name) for kind in sorted(membership.__dict__.get("kind", ()), key=_by_id)],
                membership.create_date,
                membership.write_date,
            )
            for membership in sorted(state.get("group_membership_ids", ()), key=_by_id)
        ],
    )


def _by_id(record: RegistrantId | PhoneNumber | GroupMembership | MembershipKind) -> int:
    return record.id


def views_where(session: Session, query: Select, **parameters: object) -> list[RegistrantView]:
    """Views of the rows of `query`, a filtered and ordered `REGISTRANT_ROWS` (a statement built
    once and given its parameters here keeps its compiled form)."""
    return _views(session, session.connection().execute(query, parameters).all())
