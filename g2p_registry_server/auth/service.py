"""Creating users and checking credentials; callers own the transaction."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from ..db import insert_ignoring_conflicts
from . import throttle
from .models import User
from .passwords import generate_password, hash_password, verify_password
from .scopes import read_scopes, stored_scopes

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


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    scopes: Iterable[str],
    hash_cost: str,
    min_length: int = 1,
) -> bool:
    """Create the user with these scopes; False when a user with that name exists already.
    `hash_cost`: the setting `password_hash_cost` (`auth.passwords`)."""
    check_new_credentials(username, password, min_length=min_length)
    values = {
        "username": username,
        "password_hash": hash_password(password, cost=hash_cost),
        "active": True,
        "scopes": stored_scopes(scopes),
    }
    return insert_ignoring_conflicts(session, User, values)


def set_scopes(
    session: Session,
    *,
    username: str,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    exactly: Iterable[str] | None = None,
) -> frozenset[str] | None:
    """Change a user's scopes (`exactly` replaces them); the scopes it then holds, or None when
    there is no such user. Takes effect on the user's next request, in every worker."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        return None
    held = read_scopes(user.scopes) if exactly is None else frozenset(exactly)
    held = (held | frozenset(add)) - frozenset(remove)
    user.scopes = stored_scopes(held)
    session.flush()
    return held


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def set_password(
    session: Session, *, username: str, password: str, hash_cost: str, min_length: int = 1
) -> bool:
    check_new_credentials(username, password, min_length=min_length)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        return False
    user.password_hash = hash_password(password, cost=hash_cost)
    return True


def ensure_first_admin(
    session: Session, *, password: str | None, scopes: Iterable[str], hash_cost: str
) -> str | None:
    """Create the admin user, with every scope given, when no user exists. Returns the password
    when one was generated."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    generated = password is None
    password = password or generate_password()
    created = create_user(
        session, username=ADMIN_USERNAME, password=password, scopes=scopes, hash_cost=hash_cost
    )
    return password if created and generated else None


@dataclass(frozen=True)
class StoredUser:
    """What a request authenticated by a remembered password needs, read in one query."""

    password_hash: str
    scopes: frozenset[str]
    blocked_until: datetime | None  # the latest block of its login or client address


# Built once: this runs on every request authenticated by a remembered password.
_CURRENT_USER = select(User.password_hash, User.scopes, throttle.blocked_until_of()).where(
    User.id == bindparam("user_id"), User.active.is_(True)
)


def current_user(
    connection: Connection | Session, *, user_id: int, attempt: throttle.Attempt
) -> StoredUser | None:
    """An active user's password hash and scopes, and the throttle's word on this attempt;
    None when the user is gone or inactive."""
    row = connection.execute(_CURRENT_USER, {"user_id": user_id, **attempt.parameters}).first()
    if row is None:
        return None
    return StoredUser(password_hash=row[0], scopes=read_scopes(row[1]), blocked_until=row[2])


def authenticate(session: Session, *, username: str, password: str, hash_cost: str) -> User | None:
    """The active user with this name and password, or None; as slow for an unknown name as
    for a known one (the dummy hash is made at `hash_cost`)."""
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if not verify_password(user.password_hash if user else None, password, cost=hash_cost):
        return None
    return user
