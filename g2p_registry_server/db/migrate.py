"""Running Alembic from the server: the registry's branch and every enabled extension's branch
up to their heads, under a lock so that processes starting together migrate once.

Alembic is shown the revisions of every installed extension, enabled or not: a database that an
extension once migrated records that extension's revision, and must still start when the
extension is later disabled. Each extension's branch label is its name.

PostgreSQL serializes migrators on a transaction-level advisory lock; SQLite on BEGIN IMMEDIATE,
which takes the database's write lock for the whole migration.
"""

import os
from collections.abc import Sequence
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from ..config import Settings
from ..extensions import LoadedExtension, load_extensions
from .engine import SQLITE_BEGIN_OPTION, make_engine

# An arbitrary constant naming the registry's migration lock among PostgreSQL advisory locks.
MIGRATION_LOCK_ID = 0x6732_7072_6567


def registry_versions_path() -> str:
    return str(files("g2p_registry_server") / "migrations" / "versions")


REGISTRY_BRANCH = "registry"


def alembic_config(extensions: Sequence[LoadedExtension], connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("g2p_registry_server") / "migrations"))
    config.set_main_option("path_separator", "os")
    locations = [registry_versions_path()]
    locations += [loaded.extension.migrations for loaded in extensions if loaded.extension.migrations]
    config.set_main_option("version_locations", os.pathsep.join(locations))
    config.attributes["connection"] = connection
    return config


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": MIGRATION_LOCK_ID})
    else:
        connection.execute(text("SELECT 1"))  # starts the BEGIN IMMEDIATE transaction


def upgrade_heads(settings: Settings) -> None:
    installed = load_extensions(None)
    enabled = {loaded.extension.name for loaded in load_extensions(settings.enabled_extensions)}
    branches = [REGISTRY_BRANCH] + [
        loaded.extension.name
        for loaded in installed
        if loaded.extension.name in enabled and loaded.extension.migrations
    ]
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            _lock(connection)
            config = alembic_config(installed, connection)
            for branch in branches:
                command.upgrade(config, f"{branch}@head")
            connection.commit()
    finally:
        engine.dispose()
