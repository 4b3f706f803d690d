"""Creating users and checking credentials; callers own the transaction."""

import re

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from ..db import insert_ignoring_conflicts
from .models import User
from .passwords import generate_password, hash_password, verify_password

ADMIN_USERNAME = "admin"
_USERNAME = re.compile(r"[A-Za-z0-9_.@+-]{1,150}")


class InvalidUser(ValueError):
    pass


def check_new_credentials(username: str, password: str, *, min_length: int = 1) -> None:
    if not _USERNAME.fullmatch(username):
        raise InvalidUser("User name must be 1-150 letters, digits or _ . @ + -")
    if len(password) < min_length:
        raise InvalidUser(f"Password must have at least {min_length} characters")
    if len(password) > 1024:
        raise InvalidUser("Password must have at most 1024 characters")


def create_user(session: Session, *, username: str, password: str, min_length: int = 1) -> bool:
    """Create the user; False when a user with that name exists already."""
    check_new_credentials(username, password, min_length=min_length)
    return insert_ignoring_conflicts(
        session, User, {"username": username, "password_hash": hash_password(password), "active": True}
    )


def set_password(session: Session, *, username: str, password: str, min_length: int = 1) -> bool:
    check_new_credentials(username, password, min_length=min_length)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        return False
    user.password_hash = hash_password(password)
    return True


def ensure_first_admin(session: Session, *, password: str | None) -> str | None:
    """Create the admin user when no user exists. Returns the password when one was generated."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    generated = password is None
    password = password or generate_password()
    created = create_user(session, username=ADMIN_USERNAME, password=password)
    return password if created and generated else None


# Built once: these run on every authenticated request.
_CURRENT_PASSWORD_HASH = select(User.password_hash).where(
    User.id == bindparam("user_id"), User.active.is_(True)
)


def current_password_hash(connection: Connection | Session, *, user_id: int) -> str | None:
    """The stored password hash of an active user; None when the user is gone or inactive."""
    return connection.execute(_CURRENT_PASSWORD_HASH, {"user_id": user_id}).scalar_one_or_none()


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user
