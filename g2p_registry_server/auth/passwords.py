"""Password hashing with argon2id, and a short-lived cache of verified credentials.

Basic auth sends the password with every request and an argon2 verification costs tens of
milliseconds of CPU and tens of MiB of memory, so a successful verification is remembered for a
minute under an HMAC of the credentials keyed by a secret drawn at process start (the password
itself is never kept).
"""

import hashlib
import hmac
import secrets
import threading
import time
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
CACHE_SECONDS = 60.0
CACHE_SIZE = 1024


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: an unknown user is checked against a
    dummy hash, so that timing does not tell which user names exist."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(18)


class VerifiedCredentials:
    """Credentials verified recently, keyed by an HMAC of user name and password."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._entries: dict[bytes, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _digest(self, username: str, password: str) -> bytes:
        message = (
            username.encode("utf-8", "surrogatepass") + b"\0" + password.encode("utf-8", "surrogatepass")
        )
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def get(self, username: str, password: str) -> int | None:
        digest = self._digest(username, password)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None or entry[1] < time.monotonic():
                self._entries.pop(digest, None)
                return None
            return entry[0]

    def put(self, username: str, password: str, user_id: int) -> None:
        digest = self._digest(username, password)
        with self._lock:
            if len(self._entries) >= CACHE_SIZE:
                self._entries.clear()
            self._entries[digest] = (user_id, time.monotonic() + CACHE_SECONDS)
