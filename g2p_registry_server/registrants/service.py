"""Writing a registrant's own data from a request: names and dates, IDs, phone numbers and group
memberships. Keyword-only functions over a session; nothing here commits."""

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from ..errors import RegistryError
from ..reference.lookup import ReferenceLookup
from . import repository
from .models import GroupMembership, IdType, PhoneNumber, Registrant, RegistrantId
from .schemas import GroupMembershipKindInfo, PhoneNumberRequest, RegistrantIDRequest

# Fields copied as they are when the request carries a value; on update an absent or null field
# keeps the stored value, as upstream's processing leaves out empty values.
GROUP_FIELDS = ("name", "email", "address", "registration_date")


def copy_fields(*, registrant: Registrant, request: object, fields: Sequence[str]) -> None:
    for field in fields:
        value = getattr(request, field, None)
        if value not in (None, ""):
            setattr(registrant, field, value)


def set_gender(*, registrant: Registrant, code: str | None, reference: ReferenceLookup) -> None:
    if code:
        registrant.gender = reference.gender_value(code)


def set_ids(
    *,
    session: Session,
    registrant: Registrant,
    ids: Sequence[RegistrantIDRequest] | None,
    reference: ReferenceLookup,
) -> None:
    """Add the IDs of the request; an ID of a type the registrant holds already is updated."""
    if not ids:
        return
    resolved = [(reference.id_type(item.id_type), item) for item in ids]
    type_ids = [id_type.id for id_type, _ in resolved]
    if len(set(type_ids)) != len(type_ids):
        raise RegistryError("ID Type must be unique: a registrant holds at most one ID of each type.")
    for stored in repository.id_values_in_use(
        session, [(id_type.id, item.value) for id_type, item in resolved]
    ):
        if stored.registrant_id != registrant.id or registrant.id is None:
            raise RegistryError(
                f"ID - {stored.id_type.name} {stored.value} is already assigned to another registrant."
            )
    apply_ids(registrant=registrant, resolved=resolved)


def apply_ids(*, registrant: Registrant, resolved: Sequence[tuple[IdType, RegistrantIDRequest]]) -> None:
    """Write checked IDs onto the registrant (no query): an ID of a type it holds is updated.

    Bulk imports check a whole batch's IDs in one query, then apply each item's with this."""
    held = {reg_id.id_type_id: reg_id for reg_id in registrant.reg_ids}
    for id_type, item in resolved:
        reg_id = held.get(id_type.id)
        if reg_id is None:
            reg_id = RegistrantId(id_type=id_type, id_type_id=id_type.id)
            registrant.reg_ids.append(reg_id)
        reg_id.value = item.value
        if item.expiry_date is not None:
            reg_id.expiry_date = item.expiry_date
        if item.status is not None:
            reg_id.status = item.status
        if item.description:
            reg_id.description = item.description


def sanitize_phone(phone_no: str) -> str:
    """The number as E.164-like digits, keeping an international '+' prefix."""
    digits = re.sub(r"\D", "", phone_no)
    return f"+{digits}" if phone_no.lstrip().startswith("+") else digits


def add_phone_numbers(*, registrant: Registrant, phone_numbers: Sequence[PhoneNumberRequest] | None) -> None:
    """Add the request's numbers; a number the registrant holds already is not added twice, so
    that re-sending an update does not duplicate it."""
    if not phone_numbers:
        return
    held = {phone.phone_sanitized: phone for phone in registrant.phone_number_ids}
    for item in phone_numbers:
        sanitized = sanitize_phone(item.phone_no)
        phone = held.get(sanitized)
        if phone is None:
            phone = PhoneNumber(phone_no=item.phone_no, phone_sanitized=sanitized)
            registrant.phone_number_ids.append(phone)
            held[sanitized] = phone
        if item.date_collected is not None:
            phone.date_collected = item.date_collected
    registrant.phone = phone_numbers[0].phone_no


def add_membership(
    *,
    group: Registrant,
    individual: Registrant,
    kinds: Sequence[GroupMembershipKindInfo] | None,
    reference: ReferenceLookup,
) -> GroupMembership:
    membership = GroupMembership(individual=individual)
    for kind_info in kinds or ():
        # A kind without a name is skipped, as upstream does.
        if kind_info.name:
            kind = reference.membership_kind(kind_info.name)
            if kind not in membership.kind:
                membership.kind.append(kind)
    group.group_membership_ids.append(membership)
    return membership


def check_unique_kinds(group: Registrant) -> None:
    counts: dict[str, int] = {}
    for membership in group.group_membership_ids:
        for kind in membership.kind:
            if kind.is_unique:
                counts[kind.name] = counts.get(kind.name, 0) + 1
    for name, count in counts.items():
        if count > 1:
            raise RegistryError(f"Only one {name} is allowed per group.")
