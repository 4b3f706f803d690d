"""The declarative base every table of the registry and of its extensions is declared on."""

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let migrations refer to (and later drop) constraints by a stable name on
# every backend; SQLite and PostgreSQL would otherwise invent different ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> datetime:
    """Timestamps are stored as naive UTC so that SQLite and PostgreSQL store the same value."""
    return datetime.now(UTC).replace(tzinfo=None)
