"""Tables of the registry: registrants (individuals and groups), their IDs, phone numbers and
group memberships, and the reference data they point to (ID types, genders, group kinds,
membership kinds).

Extensions declare their own tables on the same `Base.metadata` and reference `registrant.id`.
"""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utc_now

NAME_LENGTH = 255
REFERENCE_NAME_LENGTH = 100


class IdType(Base):
    __tablename__ = "id_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(REFERENCE_NAME_LENGTH), unique=True)


class Gender(Base):
    __tablename__ = "gender"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(REFERENCE_NAME_LENGTH), unique=True)
    value: Mapped[str] = mapped_column(String(REFERENCE_NAME_LENGTH))
    active: Mapped[bool] = mapped_column(default=True)


class GroupKind(Base):
    __tablename__ = "group_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(REFERENCE_NAME_LENGTH), unique=True)


class MembershipKind(Base):
    __tablename__ = "membership_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(REFERENCE_NAME_LENGTH), unique=True)
    # A unique kind (the head of a household) may be held by one member per group only.
    is_unique: Mapped[bool] = mapped_column(default=False)


class Registrant(Base):
    __tablename__ = "registrant"
    __table_args__ = (Index("ix_registrant_is_group_name", "is_group", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    given_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    family_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    addl_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    is_group: Mapped[bool] = mapped_column(default=False)
    gender: Mapped[str | None] = mapped_column(String(REFERENCE_NAME_LENGTH))
    birthdate: Mapped[date | None]
    birth_place: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    email: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    address: Mapped[str | None] = mapped_column(Text)
    registration_date: Mapped[date | None]
    is_partial_group: Mapped[bool] = mapped_column(default=False)
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("group_kind.id"))
    # The first phone number, as Odoo keeps it on the partner.
    phone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    create_date: Mapped[datetime] = mapped_column(default=utc_now)
    write_date: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    kind: Mapped[GroupKind | None] = relationship(lazy="joined")
    reg_ids: Mapped[list["RegistrantId"]] = relationship(
        back_populates="registrant", cascade="all, delete-orphan", order_by="RegistrantId.id"
    )
    phone_number_ids: Mapped[list["PhoneNumber"]] = relationship(
        back_populates="registrant", cascade="all, delete-orphan", order_by="PhoneNumber.id"
    )
    group_membership_ids: Mapped[list["GroupMembership"]] = relationship(
        back_populates="group",
        foreign_keys="GroupMembership.group_id",
        cascade="all, delete-orphan",
        order_by="GroupMembership.id",
    )


class RegistrantId(Base):
    __tablename__ = "registrant_id"
    # An ID value identifies one registrant; a registrant holds at most one ID of each type.
    __table_args__ = (
        UniqueConstraint("id_type_id", "value"),
        UniqueConstraint("registrant_id", "id_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(ForeignKey("registrant.id", ondelete="CASCADE"))
    id_type_id: Mapped[int] = mapped_column(ForeignKey("id_type.id"))
    value: Mapped[str] = mapped_column(String(NAME_LENGTH))
    expiry_date: Mapped[date | None]
    status: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(1024))

    registrant: Mapped[Registrant] = relationship(back_populates="reg_ids")
    id_type: Mapped[IdType] = relationship(lazy="joined")


class PhoneNumber(Base):
    __tablename__ = "phone_number"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(ForeignKey("registrant.id", ondelete="CASCADE"), index=True)
    phone_no: Mapped[str] = mapped_column(String(64))
    phone_sanitized: Mapped[str] = mapped_column(String(64))
    date_collected: Mapped[date | None]

    registrant: Mapped[Registrant] = relationship(back_populates="phone_number_ids")


group_membership_kind = Table(
    "group_membership_kind",
    Base.metadata,
    Column("membership_id", ForeignKey("group_membership.id", ondelete="CASCADE"), primary_key=True),
    Column("kind_id", ForeignKey("membership_kind.id"), primary_key=True),
)


class GroupMembership(Base):
    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("group_id", "individual_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("registrant.id", ondelete="CASCADE"))
    individual_id: Mapped[int] = mapped_column(ForeignKey("registrant.id", ondelete="CASCADE"), index=True)
    create_date: Mapped[datetime] = mapped_column(default=utc_now)
    write_date: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    group: Mapped[Registrant] = relationship(back_populates="group_membership_ids", foreign_keys=[group_id])
    individual: Mapped[Registrant] = relationship(foreign_keys=[individual_id])
    kind: Mapped[list[MembershipKind]] = relationship(
        secondary=group_membership_kind, order_by=MembershipKind.id
    )
