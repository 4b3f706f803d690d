"""The nickname table of the test extension.

Revision ID: nickname_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "nickname_0001"
down_revision = None
branch_labels = ("nickname",)
depends_on = "registry_0001"


def upgrade() -> None:
    op.create_table(
        "registrant_nickname",
        sa.Column("registrant_id", sa.Integer(), nullable=False),
        sa.Column("nickname", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["registrant_id"],
            ["registrant.id"],
            name=op.f("fk_registrant_nickname_registrant_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registrant_id", name=op.f("pk_registrant_nickname")),
    )


def downgrade() -> None:
    op.drop_table("registrant_nickname")
