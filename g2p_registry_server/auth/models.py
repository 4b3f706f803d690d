"""The users allowed to call the registry API, and the API keys of integrations."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utc_now


class User(Base):
    __tablename__ = "api_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    # An argon2id hash string, salt and parameters included.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    create_date: Mapped[datetime] = mapped_column(default=utc_now)
    # Scope names separated by spaces (`auth.scopes`); none unless given.
    scopes: Mapped[str] = mapped_column(String(500), server_default="")


class ApiKey(Base):
    """A key an integration sends as the password of HTTP Basic, in place of its user's password.

    Only the SHA-256 digest of the key is stored: the key has 256 random bits, so a fast digest
    is as good as a slow password hash against a stolen table, and checking it costs a lookup.
    The prefix is the key's first characters, enough to tell keys apart in lists and logs.
    """

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("api_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    create_date: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Scope names separated by spaces; only those its user also holds count.
    scopes: Mapped[str] = mapped_column(String(500), server_default="")


class LoginThrottle(Base):
    """Recent failed logins of one login (`login:<name>`) or one client address
    (`address:<ip>`), and until when further attempts are refused (`auth.throttle`)."""

    __tablename__ = "login_throttle"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int]
    first_failure_at: Mapped[datetime]
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
