"""Password hashing with argon2id.

An argon2 verification costs tens of milliseconds of CPU and tens of MiB of memory, and Basic
authentication sends the password with every request: successes are remembered for a minute by
the cache both runtimes share (`g2p_bank_server.rules.verified_passwords`).
"""

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


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
