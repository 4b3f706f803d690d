"""Building answer objects from registrants as read for answers (`views`), with every registry
field filled (upstream leaves IDs, phones, members, email, address, gender and birthdate empty
in its answers)."""

from datetime import UTC, date, datetime

from pydantic import BaseModel

from .schemas import (
    GroupInfoResponse,
    GroupMembershipKindInfo,
    GroupMembersInfoResponse,
    IndividualInfoResponse,
    PhoneNumberResponse,
    RegistrantIDResponse,
)
from .views import MembershipView, RegistrantView

AnswerPairs = list[tuple[RegistrantView, BaseModel]]


def _utc(value: datetime | None) -> datetime | None:
    # Stored as naive UTC; answered with an explicit offset.
    return value.replace(tzinfo=UTC) if value is not None else None


def age_in_years(birthdate: date | None, today: date | None = None) -> str | None:
    if birthdate is None:
        return None
    today = today or date.today()
    years = today.year - birthdate.year - ((today.month, today.day) < (birthdate.month, birthdate.day))
    return str(years)


def _registrant_fields(registrant: RegistrantView) -> dict:
    return {
        "id": registrant.id,
        "name": registrant.name,
        "reg_ids": [
            RegistrantIDResponse(
                id=reg_id.id,
                id_type_as_str=reg_id.id_type.name,
                value=reg_id.value,
                expiry_date=reg_id.expiry_date,
            )
            for reg_id in registrant.reg_ids
        ],
        "registration_date": registrant.registration_date,
        "phone_number_ids": [
            PhoneNumberResponse(
                id=phone.id,
                phone_no=phone.phone_no,
                phone_sanitized=phone.phone_sanitized,
                date_collected=phone.date_collected,
            )
            for phone in registrant.phone_number_ids
        ],
        "email": registrant.email,
        "address": registrant.address,
        "create_date": _utc(registrant.create_date),
        "write_date": _utc(registrant.write_date),
    }


def individual_answer(
    registrant: RegistrantView, pairs: AnswerPairs, answer_class: type[BaseModel] = IndividualInfoResponse
) -> BaseModel:
    answer = answer_class(
        **_registrant_fields(registrant),
        is_group=False,
        given_name=registrant.given_name,
        addl_name=registrant.addl_name,
        family_name=registrant.family_name,
        gender=registrant.gender,
        birthdate=registrant.birthdate,
        age=age_in_years(registrant.birthdate),
        birth_place=registrant.birth_place,
    )
    pairs.append((registrant, answer))
    return answer


def _member_answer(membership: MembershipView, pairs: AnswerPairs) -> GroupMembersInfoResponse:
    return GroupMembersInfoResponse(
        id=membership.id,
        individual=individual_answer(membership.individual, pairs),
        kind=[GroupMembershipKindInfo(name=kind.name) for kind in membership.kind],
        create_date=_utc(membership.create_date),
        write_date=_utc(membership.write_date),
    )


def group_answer(
    group: RegistrantView, pairs: AnswerPairs, *, with_members: bool = True
) -> GroupInfoResponse:
    answer = GroupInfoResponse(
        **_registrant_fields(group),
        is_group=True,
        is_partial_group=group.is_partial_group,
        kind=group.kind.name if group.kind is not None else None,
        group_membership_ids=(
            [_member_answer(membership, pairs) for membership in group.group_membership_ids]
            if with_members
            else []
        ),
    )
    pairs.append((group, answer))
    return answer
