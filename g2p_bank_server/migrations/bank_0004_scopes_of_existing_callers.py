"""The users and API keys that exist when the bank extension arrives keep every right: they get
its scopes (bank:read, bank:reveal, bank:write, audit:read).

Revision ID: bank_0004
Revises: bank_0003

A database the registry served without this extension has users (the administrator first)
holding only the registry's scopes; without this, enabling the extension would hide every
account from them and refuse their bank details. Users and keys created afterwards get what
they are given.
"""

import sqlalchemy as sa
from alembic import op

revision = "bank_0004"
down_revision = "bank_0003"
branch_labels = None
depends_on = "registry_0003"

# The extension's scopes when this revision was written (a migration does not follow later code).
BANK_SCOPES_THEN = ("audit:read", "bank:read", "bank:reveal", "bank:write")


def upgrade() -> None:
    connection = op.get_bind()
    for name in ("api_user", "api_key"):
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("scopes", sa.String))
        rows = connection.execute(sa.select(table.c.id, table.c.scopes)).all()
        for row_id, scopes in rows:
            held = set(scopes.split())
            if not held.issuperset(BANK_SCOPES_THEN):
                joined = " ".join(sorted(held.union(BANK_SCOPES_THEN)))
                connection.execute(table.update().where(table.c.id == row_id).values(scopes=joined))


def downgrade() -> None:
    # Scopes given are not taken back: a downgrade must not lock anyone out.
    pass
