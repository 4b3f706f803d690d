"""Every query the registry routes run. Callers pass the session; nothing here commits."""

from collections.abc import Iterable

from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from . import views
from .models import IdType, Registrant, RegistrantId
from .views import RegistrantView

# Registrant ids are 32-bit integers on PostgreSQL: a larger number cannot name a registrant,
# and passing it to the database would fail instead of simply matching nothing.
MAX_RECORD_ID = 2**31 - 1


def is_record_id(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_RECORD_ID


_REGISTRANT_BY_ID = views.REGISTRANT_ROWS.where(
    Registrant.__table__.c.id == bindparam("registrant_id"),
    Registrant.__table__.c.is_group == bindparam("is_group"),
)


def get_registrant(session: Session, *, registrant_id: int, is_group: bool) -> RegistrantView | None:
    """The registrant as answers show it."""
    if not is_record_id(registrant_id):
        return None
    found = views.views_where(session, _REGISTRANT_BY_ID, registrant_id=registrant_id, is_group=is_group)
    return found[0] if found else None


def search_registrants(
    session: Session, *, is_group: bool, registrant_id: int | None, name: str | None
) -> list[RegistrantView]:
    registrant = Registrant.__table__.c
    query = views.REGISTRANT_ROWS.where(registrant.is_group.is_(is_group), registrant.active.is_(True))
    if registrant_id:
        if not is_record_id(registrant_id):
            return []
        query = query.where(registrant.id == registrant_id)
    if name:
        query = query.where(registrant.name.contains(name, autoescape=True))
    return views.views_where(session, query.order_by(registrant.id))


def find_individual_to_update(session: Session, *, id_type: str, value: str) -> Registrant | None:
    """The active individual holding the ID (its type named `id_type`), its row locked until the
    transaction ends (FOR UPDATE on PostgreSQL: two updates of one individual, or an update and
    a change of its accounts, take turns; SQLite's write lock already covers the whole database).

    The ID's type is matched by name, and the IDs and phone numbers (which an update compares
    with its request) come joined, all in the same statement: looking the type up first and
    loading each collection after it cost a statement each, a quarter of an update's time. All
    rows are read (`unique().all()`): `first()` would stop at the first row, leaving the
    collections partly loaded."""
    query = (
        select(Registrant)
        .join(RegistrantId, RegistrantId.registrant_id == Registrant.id)
        .join(IdType, IdType.id == RegistrantId.id_type_id)
        .where(
            IdType.name == id_type,
            RegistrantId.value == value,
            Registrant.is_group.is_(False),
            Registrant.active.is_(True),
        )
        .options(joinedload(Registrant.reg_ids), joinedload(Registrant.phone_number_ids))
        # The registrant's row only: PostgreSQL refuses to lock the optional side of an outer
        # join, and the IDs and phones are the registrant's to change, under its lock.
        .with_for_update(of=Registrant.__table__)
    )
    found = session.scalars(query).unique().all()
    return found[0] if found else None


def id_values_in_use(session: Session, pairs: Iterable[tuple[int, str]]) -> list[RegistrantId]:
    """The stored IDs among the given (ID type id, value) pairs."""
    conditions = [
        and_(RegistrantId.id_type_id == type_id, RegistrantId.value == value) for type_id, value in pairs
    ]
    if not conditions:
        return []
    return list(session.scalars(select(RegistrantId).where(or_(*conditions))))


def individual_id_values(session: Session, *, include_type_id: int, exclude_type_id: int | None) -> list[str]:
    """Values of the valid IDs of one type held by active individuals, optionally leaving out the
    individuals that also hold an ID of another type."""
    query = (
        select(RegistrantId.value)
        .join(Registrant, RegistrantId.registrant_id == Registrant.id)
        .where(
            RegistrantId.id_type_id == include_type_id,
            # An ID stored without a status counts as valid; only an explicit "invalid" is left out.
            or_(RegistrantId.status.is_(None), RegistrantId.status == "valid"),
            Registrant.is_group.is_(False),
            Registrant.active.is_(True),
        )
    )
    if exclude_type_id is not None:
        other_id = aliased(RegistrantId)
        excluded = select(other_id.id).where(
            other_id.registrant_id == Registrant.id, other_id.id_type_id == exclude_type_id
        )
        query = query.where(~exists(excluded))
    return list(session.scalars(query.distinct().order_by(RegistrantId.value)))
