"""Scopes of users and API keys: the users and keys that exist keep every scope.

Revision ID: registry_0003
Revises: registry_0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "registry_0003"
down_revision: str | Sequence[str] | None = "registry_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every scope known when scopes arrived, so that upstream clients keep working unchanged. The
# column's default stays "no scope": new users and keys get what they are given.
EVERY_SCOPE_THEN = "audit:read bank:read bank:reveal bank:write registry:read registry:write"


def upgrade() -> None:
    for table in ("api_user", "api_key"):
        op.add_column(table, sa.Column("scopes", sa.String(length=500), server_default="", nullable=False))
        op.execute(sa.table(table, sa.column("scopes")).update().values(scopes=EVERY_SCOPE_THEN))


def downgrade() -> None:
    for table in ("api_key", "api_user"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("scopes")
