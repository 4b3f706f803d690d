"""Password hashing with argon2id.

An argon2 verification costs tens of milliseconds of CPU and tens of MiB of memory, and Basic
authentication sends the password with every request: successes are remembered for a minute by
the cache both runtimes share (`g2p_bank_server.rules.verified_passwords`).

How costly a new hash is comes from the `password_hash_cost` setting: `standard` (RFC 9106's
second recommendation: 3 passes over 64 MiB, 4 lanes) for every real deployment, `sandbox` (one
pass over 1 MiB, a thousandth of the work) for throw-away sandboxes and test databases only,
where logins by the thousand must stay cheap. A hash carries its own parameters: a password is
always verified at the cost it was stored with, whatever the setting says now.
"""

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY, Parameters

STANDARD_COST = "standard"
SANDBOX_COST = "sandbox"
HASH_COSTS: dict[str, Parameters] = {
    STANDARD_COST: RFC_9106_LOW_MEMORY,
    SANDBOX_COST: Parameters(
        type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
    ),
}


@lru_cache(maxsize=len(HASH_COSTS))
def _hasher(cost: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(HASH_COSTS[cost])


def hash_password(password: str, *, cost: str = STANDARD_COST) -> str:
    return _hasher(cost).hash(password)


@lru_cache(maxsize=len(HASH_COSTS))
def _dummy_hash(cost: str) -> str:
    return _hasher(cost).hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str, *, cost: str = STANDARD_COST) -> bool:
    """Constant work whether or not the user exists: an unknown user is checked against a
    dummy hash made at the configured `cost` (the cost of the users' own hashes), so that
    timing does not tell which user names exist."""
    try:
        hasher = _hasher(cost)
        return hasher.verify(password_hash or _dummy_hash(cost), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(18)
