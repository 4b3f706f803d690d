"""The audit trail of bank details: an append-only table of events.

Revision ID: bank_0002
Revises: bank_0001

Triggers refuse every UPDATE and DELETE of an event (and TRUNCATE on PostgreSQL), so that no
code path, and no one with the application's database role, rewrites the trail.
"""

import sqlalchemy as sa
from alembic import op

revision = "bank_0002"
down_revision = "bank_0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "bank_account_event is append-only"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER bank_account_event_no_{operation.lower()}
    BEFORE {operation} ON bank_account_event
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: {operation} refused'); END"""
    for operation in ("UPDATE", "DELETE")
]
_POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION bank_account_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER bank_account_event_no_change BEFORE UPDATE OR DELETE ON bank_account_event
    FOR EACH ROW EXECUTE FUNCTION bank_account_event_append_only()""",
    """CREATE TRIGGER bank_account_event_no_truncate BEFORE TRUNCATE ON bank_account_event
    FOR EACH STATEMENT EXECUTE FUNCTION bank_account_event_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "bank_account_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("api_key", sa.String(100), nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("route", sa.String(255), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("registrant_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("bank_id", sa.Integer(), nullable=True),
        sa.Column("acc_number", sa.String(64), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("first_registrant_id", sa.Integer(), nullable=True),
        sa.Column("last_registrant_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bank_account_event"),
    )
    op.create_index("ix_bank_account_event_registrant_id_id", "bank_account_event", ["registrant_id", "id"])
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers.
    op.drop_table("bank_account_event")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION bank_account_event_append_only()")
