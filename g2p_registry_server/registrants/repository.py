"""Every query the registry routes run. Callers pass the session; nothing here commits."""

from collections.abc import Iterable, Sequence

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql import Select

from .models import GroupMembership, Registrant, RegistrantId

# Registrant ids are 32-bit integers on PostgreSQL: a larger number cannot name a registrant,
# and passing it to the database would fail instead of simply matching nothing.
MAX_RECORD_ID = 2**31 - 1


def is_record_id(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_RECORD_ID


def _with_answer_data(query: Select) -> Select:
    """Load everything an answer shows in a constant number of queries."""
    member = selectinload(Registrant.group_membership_ids)
    return query.options(
        selectinload(Registrant.reg_ids),
        selectinload(Registrant.phone_number_ids),
        member.selectinload(GroupMembership.kind),
        member.selectinload(GroupMembership.individual).selectinload(Registrant.reg_ids),
        member.selectinload(GroupMembership.individual).selectinload(Registrant.phone_number_ids),
    )


def get_registrant(session: Session, *, registrant_id: int, is_group: bool) -> Registrant | None:
    if not is_record_id(registrant_id):
        return None
    query = select(Registrant).where(Registrant.id == registrant_id, Registrant.is_group.is_(is_group))
    return session.scalars(_with_answer_data(query)).first()


def search_registrants(
    session: Session, *, is_group: bool, registrant_id: int | None, name: str | None
) -> Sequence[Registrant]:
    query = select(Registrant).where(Registrant.is_group.is_(is_group), Registrant.active.is_(True))
    if registrant_id:
        if not is_record_id(registrant_id):
            return []
        query = query.where(Registrant.id == registrant_id)
    if name:
        query = query.where(Registrant.name.contains(name, autoescape=True))
    return session.scalars(_with_answer_data(query.order_by(Registrant.id))).all()


def reload_for_answer(session: Session, registrant_ids: Sequence[int]) -> list[Registrant]:
    """The given registrants, freshly loaded with their answer data, in the given order."""
    query = (
        select(Registrant).where(Registrant.id.in_(registrant_ids)).execution_options(populate_existing=True)
    )
    by_id = {registrant.id: registrant for registrant in session.scalars(_with_answer_data(query))}
    return [by_id[registrant_id] for registrant_id in registrant_ids]


def find_individual_by_id_value(session: Session, *, id_type_id: int, value: str) -> Registrant | None:
    query = (
        select(Registrant)
        .join(RegistrantId, RegistrantId.registrant_id == Registrant.id)
        .where(
            RegistrantId.id_type_id == id_type_id,
            RegistrantId.value == value,
            Registrant.is_group.is_(False),
            Registrant.active.is_(True),
        )
        .options(selectinload(Registrant.reg_ids), selectinload(Registrant.phone_number_ids))
    )
    return session.scalars(query).first()


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
