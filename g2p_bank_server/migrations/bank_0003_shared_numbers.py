"""An index on bank accounts' normalized numbers.

Revision ID: bank_0003
Revises: bank_0002

The shared-account policy checks a request's numbers against every registrant's accounts, and
the report groups accounts by number: both look accounts up by number, across registrants.
"""

from alembic import op

revision = "bank_0003"
down_revision = "bank_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_bank_account_normalized_number", "bank_account", ["normalized_number"])


def downgrade() -> None:
    op.drop_index("ix_bank_account_normalized_number", table_name="bank_account")
