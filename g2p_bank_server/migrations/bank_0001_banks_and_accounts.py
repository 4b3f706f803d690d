"""Banks and registrants' bank accounts.

Revision ID: bank_0001
Revises:

The first revision of the bank branch; it needs the registry's registrant table.
"""

import sqlalchemy as sa
from alembic import op

revision = "bank_0001"
down_revision = None
branch_labels = ("bank",)
depends_on = "registry_0001"


def upgrade() -> None:
    op.create_table(
        "bank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("name_key", sa.String(765), nullable=False),
        sa.Column("bic", sa.String(11), nullable=True),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bank"),
        sa.UniqueConstraint("bic", name="uq_bank_bic"),
    )
    op.create_index("ix_bank_name_key", "bank", ["name_key"])
    # Concurrent creation of one BIC-less bank ends with one row: see g2p_bank_server.models.
    op.create_index(
        "uq_bank_name_key_without_bic",
        "bank",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text("bic IS NULL"),
        postgresql_where=sa.text("bic IS NULL"),
    )
    op.create_table(
        "bank_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registrant_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("acc_number", sa.String(64), nullable=False),
        sa.Column("normalized_number", sa.String(192), nullable=False),
        sa.Column("acc_holder_name", sa.String(255), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.Column("write_date", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bank_account"),
        sa.ForeignKeyConstraint(
            ["registrant_id"], ["registrant.id"], name="fk_bank_account_registrant_id_registrant"
        ),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"], name="fk_bank_account_bank_id_bank"),
        sa.UniqueConstraint(
            "registrant_id", "normalized_number", name="uq_bank_account_registrant_id_normalized_number"
        ),
    )
    op.create_index("ix_bank_account_registrant_id", "bank_account", ["registrant_id"])
    op.create_index("ix_bank_account_bank_id", "bank_account", ["bank_id"])


def downgrade() -> None:
    op.drop_table("bank_account")
    op.drop_table("bank")
