"""Database plumbing: the declarative base and the engine/session factories."""

from .base import Base, utc_now
from .engine import (
    make_engine,
    make_sessionmaker,
    normalize_database_url,
    session_settings,
    single_statement_reads,
)
from .upsert import insert_ignoring_conflicts

__all__ = [
    "Base",
    "insert_ignoring_conflicts",
    "make_engine",
    "make_sessionmaker",
    "normalize_database_url",
    "session_settings",
    "single_statement_reads",
    "utc_now",
]
