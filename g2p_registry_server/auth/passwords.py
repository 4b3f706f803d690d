"""Password hashing with argon2id, and a short-lived cache of verified credentials.

Basic auth sends the password with every request and an argon2 verification costs tens of
milliseconds of CPU and tens of MiB of memory, so a successful verification is remembered for
`CACHE_SECONDS` under an HMAC of user name and password keyed by a secret drawn at process start:
the cache never holds a password, and its keys are useless outside the process. A remembered
verification is only trusted while the user's stored password hash is still the one it was
verified against (the caller reads it, one indexed query): a password change or a deactivated
user takes effect on the next request, in every worker. At most `CACHE_SIZE` entries are kept.
"""

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class VerifiedEntry:
    user_id: int
    hash_fingerprint: bytes
    expires: float  # time.monotonic()


class VerifiedCredentials:
    """Credentials verified recently, keyed by an HMAC of user name and password.

    Each entry holds the user's id and a fingerprint of the password hash the password was
    verified against; the caller trusts an entry that `get` answers only if `still_valid` says
    that the stored hash is still that one.
    """

    def __init__(self, *, seconds: float = CACHE_SECONDS, size: int = CACHE_SIZE) -> None:
        self._key = secrets.token_bytes(32)
        self._seconds = seconds
        self._size = size
        # Insertion order is expiry order (every entry lives `seconds`): the first is the oldest.
        self._entries: dict[bytes, VerifiedEntry] = {}
        self._lock = threading.Lock()

    def _hmac(self, *parts: str) -> bytes:
        # Length-prefixed parts: no user name and password pair can spell another pair.
        message = b"".join(
            len(encoded).to_bytes(4, "big") + encoded
            for encoded in (part.encode("utf-8", "surrogatepass") for part in parts)
        )
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def fingerprint(self, password_hash: str) -> bytes:
        return self._hmac("password-hash", password_hash)

    def still_valid(self, entry: VerifiedEntry, current_hash: str | None) -> bool:
        """Whether `entry` was verified against `current_hash` (None: the user is gone or inactive)."""
        return current_hash is not None and hmac.compare_digest(
            entry.hash_fingerprint, self.fingerprint(current_hash)
        )

    def get(self, username: str, password: str) -> VerifiedEntry | None:
        digest = self._hmac("credentials", username, password)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry.expires < time.monotonic():
                del self._entries[digest]
                return None
            return entry

    def put(self, username: str, password: str, user_id: int, password_hash: str) -> None:
        digest = self._hmac("credentials", username, password)
        entry = VerifiedEntry(user_id, self.fingerprint(password_hash), time.monotonic() + self._seconds)
        with self._lock:
            self._entries.pop(digest, None)
            while len(self._entries) >= self._size:
                del self._entries[next(iter(self._entries))]
            self._entries[digest] = entry

    def forget(self, username: str, password: str) -> None:
        with self._lock:
            self._entries.pop(self._hmac("credentials", username, password), None)

    def __len__(self) -> int:
        return len(self._entries)
