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
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.orm import Session

from ..db import utc_now
from .models import ApiKey, User
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
    return KeyInfo(
        id=key.id,
        prefix=key.prefix,
        username=username,
        name=key.name,
        create_date=key.create_date,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
    )


def create_api_key(
    session: Session, *, username: str, name: str = "", expires_days: int | None = None
) -> CreatedKey:
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise InvalidUser(f"No active user {username!r}")
    if len(name) > NAME_LENGTH:
        raise InvalidUser(f"Key name must have at most {NAME_LENGTH} characters")
    if expires_days is not None and not 0 < expires_days <= MAX_EXPIRES_DAYS:
        raise InvalidUser(f"Expiry must be between 1 and {MAX_EXPIRES_DAYS} days")
    now = utc_now()
    key = new_key()
    row = ApiKey(
        user_id=user.id,
        name=name,
        prefix=key[:DISPLAY_LENGTH],
        key_hash=key_digest(key),
        create_date=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(row)
    session.flush()
    return CreatedKey(info=_info(row, user.username), key=key)


def list_api_keys(session: Session, *, username: str | None = None) -> list[KeyInfo]:
    query = select(ApiKey, User.username).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id)
    if username is not None:
        query = query.where(User.username == username)
    return [_info(key, name) for key, name in session.execute(query)]


def revoke_api_key(session: Session, *, reference: str) -> KeyInfo | None:
    """Revoke the key named by its id, its prefix or the key itself; None when there is no such key.
    Revoking a revoked key keeps the first revocation's date."""
    reference = reference.strip()
    if reference.isdigit():
        condition = ApiKey.id == int(reference)
    elif looks_like_key(reference):
        condition = ApiKey.key_hash == key_digest(reference)
    else:
        condition = ApiKey.prefix == reference
    found = session.execute(
        select(ApiKey, User.username).join(User, User.id == ApiKey.user_id).where(condition)
    ).first()
    if found is None:
        return None
    key, username = found
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        session.flush()
    return _info(key, username)


# Built once: it runs on every request authenticated by a key.
_USER_OF_KEY = (
    select(User.id, ApiKey.name, ApiKey.prefix)
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
class KeyUser:
    """The user a valid key authenticates, and how the key is named in the audit trail."""

    user_id: int
    key_name: str


def user_of_key(connection: Connection | Session, *, username: str, key: str) -> KeyUser | None:
    """The active user `username` if `key` is one of its valid keys (one query). A key created
    without a name is named by its prefix, so that the audit trail still tells keys apart."""
    parameters = {"key_hash": key_digest(key), "now": utc_now(), "username": username}
    row = connection.execute(_USER_OF_KEY, parameters).first()
    if row is None:
        return None
    return KeyUser(user_id=row.id, key_name=row.name or row.prefix)
