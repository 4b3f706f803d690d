"""What runs once before the server starts, in the parent process so that several workers do not
race: migrations up to all heads, reference data if missing, and the first admin user."""

import logging

from sqlalchemy.orm import Session

from .auth.passwords import STANDARD_COST
from .auth.service import ADMIN_USERNAME, ensure_first_admin
from .config import Settings
from .db import make_engine, make_sessionmaker
from .db.migrate import upgrade_heads
from .extensions import deployment_scopes
from .reference.seed import load_reference_data, seed_reference_data

log = logging.getLogger(__name__)


def seed(settings: Settings, reference_file=None) -> int:
    data = load_reference_data(reference_file or settings.reference_data)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, write=True)() as session, session.begin():
            return seed_reference_data(session, data)
    finally:
        engine.dispose()


def create_first_admin(settings: Settings) -> str | None:
    """The first user, `admin`, holds every scope of every installed extension, enabled or not:
    enabling one later (`G2P_EXTENSIONS`) needs no change to the admin's scopes."""
    every_scope = deployment_scopes(None)
    engine = make_engine(settings.database_url)
    try:
        session: Session
        with make_sessionmaker(engine, write=True)() as session, session.begin():
            return ensure_first_admin(
                session,
                password=settings.admin_password,
                scopes=every_scope,
                hash_cost=settings.password_hash_cost,
            )
    finally:
        engine.dispose()


def prepare(settings: Settings) -> None:
    if settings.password_hash_cost != STANDARD_COST:
        log.warning(
            "G2P_PASSWORD_HASH_COST=%s: new passwords are hashed cheaply; for a sandbox or a "
            "test database only, never for real beneficiaries",
            settings.password_hash_cost,
        )
    upgrade_heads(settings)
    added = seed(settings)
    if added:
        log.info("Seeded %d reference data entries", added)
    generated = create_first_admin(settings)
    if generated:
        # Printed once, on stdout, so that the operator can log in; it is not logged.
        print(f"Created user {ADMIN_USERNAME} with password: {generated}", flush=True)
