"""The registry's tables: users, reference data, registrants, their IDs, phone numbers and group
memberships.

Revision ID: registry_0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "registry_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("registry",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_user")),
        sa.UniqueConstraint("username", name=op.f("uq_api_user_username")),
    )
    op.create_table(
        "gender",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gender")),
        sa.UniqueConstraint("code", name=op.f("uq_gender_code")),
    )
    op.create_table(
        "group_kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_kind")),
        sa.UniqueConstraint("name", name=op.f("uq_group_kind_name")),
    )
    op.create_table(
        "id_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_id_type")),
        sa.UniqueConstraint("name", name=op.f("uq_id_type_name")),
    )
    op.create_table(
        "membership_kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_unique", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_kind")),
        sa.UniqueConstraint("name", name=op.f("uq_membership_kind_name")),
    )
    op.create_table(
        "registrant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("given_name", sa.String(length=255), nullable=True),
        sa.Column("family_name", sa.String(length=255), nullable=True),
        sa.Column("addl_name", sa.String(length=255), nullable=True),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("gender", sa.String(length=100), nullable=True),
        sa.Column("birthdate", sa.Date(), nullable=True),
        sa.Column("birth_place", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("registration_date", sa.Date(), nullable=True),
        sa.Column("is_partial_group", sa.Boolean(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.Column("write_date", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind_id"], ["group_kind.id"], name=op.f("fk_registrant_kind_id_group_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrant")),
    )
    op.create_index(op.f("ix_registrant_is_group_name"), "registrant", ["is_group", "name"], unique=False)

    op.create_table(
        "group_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("individual_id", sa.Integer(), nullable=False),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.Column("write_date", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["registrant.id"],
            name=op.f("fk_group_membership_group_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["individual_id"],
            ["registrant.id"],
            name=op.f("fk_group_membership_individual_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_membership")),
        sa.UniqueConstraint(
            "group_id", "individual_id", name=op.f("uq_group_membership_group_id_individual_id")
        ),
    )
    op.create_index(
        op.f("ix_group_membership_individual_id"), "group_membership", ["individual_id"], unique=False
    )

    op.create_table(
        "phone_number",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registrant_id", sa.Integer(), nullable=False),
        sa.Column("phone_no", sa.String(length=64), nullable=False),
        sa.Column("phone_sanitized", sa.String(length=64), nullable=False),
        sa.Column("date_collected", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registrant_id"],
            ["registrant.id"],
            name=op.f("fk_phone_number_registrant_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_number")),
    )
    op.create_index(op.f("ix_phone_number_registrant_id"), "phone_number", ["registrant_id"], unique=False)

    op.create_table(
        "registrant_id",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registrant_id", sa.Integer(), nullable=False),
        sa.Column("id_type_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("description", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["id_type_id"], ["id_type.id"], name=op.f("fk_registrant_id_id_type_id_id_type")
        ),
        sa.ForeignKeyConstraint(
            ["registrant_id"],
            ["registrant.id"],
            name=op.f("fk_registrant_id_registrant_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrant_id")),
        sa.UniqueConstraint("id_type_id", "value", name=op.f("uq_registrant_id_id_type_id_value")),
        sa.UniqueConstraint(
            "registrant_id", "id_type_id", name=op.f("uq_registrant_id_registrant_id_id_type_id")
        ),
    )
    op.create_table(
        "group_membership_kind",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind_id"], ["membership_kind.id"], name=op.f("fk_group_membership_kind_kind_id_membership_kind")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["group_membership.id"],
            name=op.f("fk_group_membership_kind_membership_id_group_membership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_id", "kind_id", name=op.f("pk_group_membership_kind")),
    )


def downgrade() -> None:
    op.drop_table("group_membership_kind")
    op.drop_table("registrant_id")
    op.drop_index(op.f("ix_phone_number_registrant_id"), table_name="phone_number")

    op.drop_table("phone_number")
    op.drop_index(op.f("ix_group_membership_individual_id"), table_name="group_membership")

    op.drop_table("group_membership")
    op.drop_index(op.f("ix_registrant_is_group_name"), table_name="registrant")

    op.drop_table("registrant")
    op.drop_table("membership_kind")
    op.drop_table("id_type")
    op.drop_table("group_kind")
    op.drop_table("gender")
    op.drop_table("api_user")
