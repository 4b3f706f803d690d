"""The bank migrations create exactly the tables, columns, indexes and constraints the
models declare, on both backends (the server ran the migration when it started)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from g2p_bank_server.models import Bank, BankAccount, BankAccountEvent
from g2p_registry_server.db import Base, normalize_database_url
from tests.support.live_server import LiveServer

BANK_TABLES = {Bank.__tablename__, BankAccount.__tablename__, BankAccountEvent.__tablename__}


def _is_bank_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in BANK_TABLES


def test_migrated_bank_tables_match_the_models(live_server: LiveServer) -> None:
    engine = create_engine(normalize_database_url(live_server.database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": _is_bank_object, "compare_type": True}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
