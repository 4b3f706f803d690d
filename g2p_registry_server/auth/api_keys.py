"""API keys of integrations: created for a user, shown once, stored as a digest, revocable, and
optionally expiring.

A key is sent as the password of HTTP Basic with its user's name, the way Odoo accepts API keys,
so clients need no other scheme. A key is `g2p_` followed by 32 random bytes (URL-safe base64):
checking it is one indexed lookup of its SHA-256 digest, with no cache, so that a revoked or
expired key is refused on the next request by every worker. Callers own the transaction.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.orm import Session

from ..db import utc_now
from . import throttle
from .models import ApiKey, User
from .scopes import effective_scopes, read_scopes, stored_scopes
from .service import InvalidUser

KEY_PREFIX = "g2p_"
_KEY_SHAPE = re.compile(r"g2p_[A-Za-z0-9_-]{43}")
# What lists show and what `revoke` accepts: the scheme and 8 random characters (48 bits).
DISPLAY_LENGTH = len(KEY_PREFIX) + 8
NAME_LENGTH = 100
MAX_EXPIRES_DAYS = 3650


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def looks_like_key(secret: str) -> bool:
    return _KEY_SHAPE.fullmatch(secret) is not None


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    """An API key as lists show it: never the key itself."""

    id: int
    prefix: str
    username: str
    name: str
    create_date: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    scopes: frozenset[str]  # as given to the key; only those its user holds count

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class CreatedKey:
    info: KeyInfo
    key: str  # the only time the key exists outside the client


def _info(key: ApiKey, username: str) -> KeyInfo:
    # The key's own scopes, as listed; `effective_scopes` caps them by the user's when used.
    return KeyInfo(
        id=key.id,
        prefix=key.prefix,
        username=username,
        name=key.name,
        create_date=key.create_date,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        scopes=read_scopes(key.scopes),
    )


def create_api_key(
    session: Session,
    *,
    username: str,
    scopes: Iterable[str],
    name: str = "",
    expires_days: int | None = None,
) -> CreatedKey:
    """A new key with the scopes it states; those its user does not hold are refused (a key is
    capped by its user's scopes; a scope later taken from the user stops counting for its keys)."""
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise InvalidUser(f"No active user {username!r}")
    if len(name) > NAME_LENGTH:
        raise InvalidUser(f"Key name must have at most {NAME_LENGTH} characters")
    if expires_days is not None and not 0 < expires_days <= MAX_EXPIRES_DAYS:
        raise InvalidUser(f"Expiry must be between 1 and {MAX_EXPIRES_DAYS} days")
    not_held = sorted(set(scopes) - read_scopes(user.scopes))
    if not_held:
        raise InvalidUser(f"User {username!r} does not hold the scope(s) {', '.join(not_held)}")
    now = utc_now()
    key = new_key()
    row = ApiKey(
        user_id=user.id,
        name=name,
        prefix=key[:DISPLAY_LENGTH],
        key_hash=key_digest(key),
        create_date=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
        scopes=stored_scopes(scopes),
    )
    session.add(row)
    session.flush()
    return CreatedKey(info=_info(row, user.username), key=key)


def list_api_keys(session: Session, *, username: str | None = None) -> list[KeyInfo]:
    query = select(ApiKey, User.username).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id)
    if username is not None:
        query = query.where(User.username == username)
    return [_info(key, name) for key, name in session.execute(query)]


def set_key_scopes(
    session: Session,
    *,
    reference: str,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    exactly: Iterable[str] | None = None,
) -> KeyInfo | None:
    """Change a key's scopes (`exactly` replaces them); None when there is no such key. Adding
    a scope its user does not hold is refused."""
    found = _find_key(session, reference)
    if found is None:
        return None
    key, username, user_scopes = found
    before = read_scopes(key.scopes)
    held = (before if exactly is None else frozenset(exactly)) | frozenset(add)
    held -= frozenset(remove)
    # Scopes the key kept after its user lost them stay (they do not count); new ones must be held.
    new = held if exactly is not None else held - before
    not_held = sorted(new - read_scopes(user_scopes))
    if not_held:
        raise InvalidUser(f"User {username!r} does not hold the scope(s) {', '.join(not_held)}")
    key.scopes = stored_scopes(held)
    session.flush()
    return _info(key, username)


def _find_key(session: Session, reference: str) -> tuple[ApiKey, str, str] | None:
    """The key named by its id, its prefix or the key itself, with its user's name and scopes."""
    reference = reference.strip()
    if reference.isdigit():
        condition = ApiKey.id == int(reference)
    elif looks_like_key(reference):
        condition = ApiKey.key_hash == key_digest(reference)
    else:
        condition = ApiKey.prefix == reference
    found = session.execute(
        select(ApiKey, User.username, User.scopes).join(User, User.id == ApiKey.user_id).where(condition)
    ).first()
    return None if found is None else (found[0], found[1], found[2])


def revoke_api_key(session: Session, *, reference: str) -> KeyInfo | None:
    """Revoke the key named by its id, its prefix or the key itself; None when there is no such key.
    Revoking a revoked key keeps the first revocation's date."""
    found = _find_key(session, reference)
    if found is None:
        return None
    key, username, _user_scopes = found
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        session.flush()
    return _info(key, username)


# Built once: it runs on every request authenticated by a key.
_USER_OF_KEY = (
    select(User.id, User.scopes, ApiKey.scopes, throttle.blocked_until_of(), ApiKey.name, ApiKey.prefix)
    .join(ApiKey, ApiKey.user_id == User.id)
    .where(
        ApiKey.key_hash == bindparam("key_hash"),
        ApiKey.revoked_at.is_(None),
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > bindparam("now")),
        User.username == bindparam("username"),
        User.active.is_(True),
    )
)


@dataclass(frozen=True)
class KeyHolder:
    user_id: int
    scopes: frozenset[str]  # the key's scopes that its user holds
    blocked_until: datetime | None  # the latest block of the login or the client address
    key_name: str  # how the key is named in the audit trail


def user_of_key(
    connection: Connection | Session,
    *,
    username: str,
    key: str,
    attempt: throttle.Attempt,
) -> KeyHolder | None:
    """The active user `username` if `key` is one of its valid keys, with the key's effective
    scopes and the throttle's word on this attempt (one query). A key created without a name is
    named by its prefix, so that the audit trail still tells keys apart."""
    parameters = {
        "key_hash": key_digest(key),
        "now": utc_now(),
        "username": username,
        **attempt.parameters,
    }
    row = connection.execute(_USER_OF_KEY, parameters).first()
    if row is None:
        return None
    return KeyHolder(
        user_id=row[0],
        scopes=effective_scopes(row[1], row[2]),
        blocked_until=row[3],
        key_name=row[4] or row[5],
    )
