"""Request and answer schemas of the registry routes, with upstream's class names and wire
names (`reg_ids`, `phone_number_ids`, `group_membership_ids`, `id_type_as_str`).

They are extendable-pydantic models: an extension adds fields with
`class X(RegistrantInfoRequest, extends=RegistrantInfoRequest)`, which reaches every subclass
once the app factory has built the extendable registry. Fields that upstream declares required
but nullable (`gender`, `birth_place`, `email`, `address`, a group's `kind`) have defaults here:
old clients keep working, new ones need not send nulls.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from extendable_pydantic import ExtendableBaseModel
from pydantic import Field

from .fields import (
    Address,
    DateText,
    Description,
    Email,
    IdValue,
    Name,
    OptionalText,
    PastDateText,
    Phone,
    ReferenceName,
)

MAX_IDS = 50
MAX_PHONE_NUMBERS = 50
MAX_MEMBERS = 1000
MAX_MEMBERSHIP_KINDS = 10

_DATE_DOC = "{} in YYYY-MM-DD format"
_DATE_EXAMPLES = ["2000-01-01"]


def _date_field(what: str) -> date | None:
    return Field(None, description=_DATE_DOC.format(what), examples=_DATE_EXAMPLES)


class RegistryModel(ExtendableBaseModel):
    """Root of the registry's schemas; the registry's own rules live on the fields."""


# --- answers -------------------------------------------------------------------------------


class RegistrantIDResponse(RegistryModel):
    id: int
    id_type_as_str: str
    value: str | None
    expiry_date: date | None = None


class PhoneNumberResponse(RegistryModel):
    id: int
    phone_no: str
    phone_sanitized: str
    date_collected: date | None = None


class GroupMembershipKindInfo(RegistryModel):
    name: ReferenceName | None


class RegistrantInfoResponse(RegistryModel):
    id: int
    name: str
    reg_ids: list[RegistrantIDResponse] | None = Field(default=[])
    is_group: bool
    registration_date: date | None = None
    phone_number_ids: list[PhoneNumberResponse] | None = Field(default=[])
    email: str | None = None
    address: str | None = None
    create_date: datetime | None = None
    write_date: datetime | None = None


class IndividualInfoResponse(RegistrantInfoResponse):
    given_name: str | None
    addl_name: str | None = None
    family_name: str | None = None
    gender: str | None = None
    birthdate: date | None = None
    age: str | None = None
    birth_place: str | None = None
    is_group: bool = False


class UpdateIndividualInfoResponse(IndividualInfoResponse):
    # Upstream's wire format: an update's answer may leave these out. A deliberate narrowing of
    # the base class's fields, which the type checker cannot know pydantic allows.
    id: int | None = None  # type: ignore[assignment]
    name: str | None = None  # type: ignore[assignment]
    given_name: str | None = None
    family_name: str | None = None


class GroupMembersInfoResponse(RegistryModel):
    id: int
    individual: IndividualInfoResponse | None = None
    kind: list[GroupMembershipKindInfo] | None = None
    create_date: datetime | None = None
    write_date: datetime | None = None


class GroupInfoResponse(RegistrantInfoResponse):
    is_group: bool = True
    group_membership_ids: list[GroupMembersInfoResponse] = Field(default=[])
    is_partial_group: bool
    # Not in upstream's answer (commented out there); added so that a client sees the kind it set.
    kind: str | None = None


# --- requests ------------------------------------------------------------------------------


class RegistrantIDRequest(RegistryModel):
    id_type: ReferenceName
    value: IdValue
    expiry_date: DateText = _date_field("Expiry date")
    status: Literal["valid", "invalid"] | None = None
    description: Description | None = None


class PhoneNumberRequest(RegistryModel):
    phone_no: Phone
    date_collected: PastDateText = _date_field("Date of Collected")


class RegistrantInfoRequest(RegistryModel):
    name: Name = Field(..., description="Mandatory field")
    ids: Annotated[list[RegistrantIDRequest], Field(max_length=MAX_IDS)]
    registration_date: DateText = _date_field("Registration date")
    phone_numbers: Annotated[list[PhoneNumberRequest], Field(max_length=MAX_PHONE_NUMBERS)] | None = None
    email: Email | None = None
    address: Address | None = None


class IndividualInfoRequest(RegistrantInfoRequest):
    given_name: Name
    addl_name: OptionalText | None = None
    family_name: OptionalText | None = None
    gender: ReferenceName | None = None
    birthdate: PastDateText = _date_field("Date of birth")
    birth_place: OptionalText | None = None
    is_group: bool = False


class UpdateIndividualInfoRequest(IndividualInfoRequest):
    """A partial update: fields left out or null keep their stored value."""

    updateId: IdValue
    # A partial update leaves out what it keeps (see the class's docstring); pydantic allows the
    # override of the base class's required fields, the type checker cannot know it.
    name: Name | None = None  # type: ignore[assignment]
    given_name: Name | None = None  # type: ignore[assignment]
    ids: Annotated[list[RegistrantIDRequest], Field(max_length=MAX_IDS)] = Field(default=[])


class GroupMembersInfoRequest(RegistryModel):
    name: Name
    given_name: OptionalText | None = None
    addl_name: OptionalText | None = None
    family_name: OptionalText | None = None
    ids: Annotated[list[RegistrantIDRequest], Field(max_length=MAX_IDS)] | None = None
    registration_date: DateText = _date_field("Registration date")
    phone_numbers: Annotated[list[PhoneNumberRequest], Field(max_length=MAX_PHONE_NUMBERS)] | None = None
    email: Email | None = None
    address: Address | None = None
    gender: ReferenceName | None = None
    birthdate: PastDateText = _date_field("Date of birth")
    birth_place: OptionalText | None = None
    is_group: bool = False
    kind: Annotated[list[GroupMembershipKindInfo], Field(max_length=MAX_MEMBERSHIP_KINDS)] | None = None


class GroupInfoRequest(RegistrantInfoRequest):
    is_group: bool = True
    members: Annotated[list[GroupMembersInfoRequest], Field(max_length=MAX_MEMBERS)]
    kind: ReferenceName | None = None
    is_partial_group: bool | None = None
