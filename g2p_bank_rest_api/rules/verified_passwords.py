"""Passwords of HTTP Basic authentication verified a moment ago, in both runtimes.

Basic authentication sends the password with every request, and checking it against its stored
hash is slow on purpose (argon2id in the standalone server, PBKDF2-SHA512 with 600,000 rounds in
Odoo). A success is therefore remembered for `CACHE_SECONDS`, in the memory of the process that
verified it, under an HMAC-SHA256 of (realm, login, password) keyed by a secret drawn at random
in that process: the cache holds neither a password nor anything that could be checked against
one elsewhere. The realm tells apart the databases one process serves (Odoo's database name; the
standalone server serves one database and passes "").

Each entry keeps the user's id and an HMAC of the password hash it was verified against. The
caller trusts an entry only while the user is active and still has that very hash (one indexed
read per request), so a changed password or a deactivated user takes effect on the next request,
in every worker. Only successes are remembered: a wrong password always gets the whole check.
At most `CACHE_SIZE` entries are kept, the oldest dropped first. A forked process (Odoo's
prefork workers, the standalone's import workers) starts empty, with a secret of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

CACHE_SECONDS = 60.0
CACHE_SIZE = 1024


@dataclass(frozen=True)
class VerifiedPassword:
    user_id: int
    hash_fingerprint: bytes
    expires: float  # on the cache's monotonic clock: expired from that instant on


class VerifiedPasswords:
    """Recently verified (realm, login, password) triples, by HMAC. Thread-safe."""

    def __init__(
        self,
        *,
        seconds: float = CACHE_SECONDS,
        size: int = CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._start_afresh()

    def _start_afresh(self) -> None:
        self._pid = os.getpid()
        self._secret = secrets.token_bytes(32)
        # Every entry lives `seconds`, so insertion order is expiry order: the first is the oldest.
        self._entries: dict[bytes, VerifiedPassword] = {}

    def _own(self) -> None:
        # Called with the lock held: a fork of the process that made the cache starts afresh.
        if os.getpid() != self._pid:
            self._start_afresh()

    def _mac(self, *parts: str) -> bytes:
        # Length-prefixed, so that no two different triples make the same message.
        message = b"".join(
            len(encoded).to_bytes(4, "big") + encoded
            for encoded in (part.encode("utf-8", "surrogatepass") for part in parts)
        )
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def lookup(self, realm: str, login: str, password: str) -> VerifiedPassword | None:
        """The unexpired entry of these credentials, if they were verified; never a failure."""
        with self._lock:
            self._own()
            digest = self._mac("credentials", realm, login, password)
            entry = self._entries.get(digest)
            if entry is not None and entry.expires <= self._clock():
                del self._entries[digest]
                entry = None
            return entry

    def remember(self, realm: str, login: str, password: str, user_id: int, password_hash: str) -> None:
        """Call only after the password was accepted, with the hash it was checked against (or
        one read before the check: if it changed in between, the next request checks again)."""
        with self._lock:
            self._own()
            digest = self._mac("credentials", realm, login, password)
            entry = VerifiedPassword(
                user_id, self._mac("password-hash", password_hash), self._clock() + self._seconds
            )
            self._entries.pop(digest, None)
            while len(self._entries) >= self._size:
                del self._entries[next(iter(self._entries))]
            self._entries[digest] = entry

    def still_valid(self, entry: VerifiedPassword, current_hash: str | None) -> bool:
        """Whether the user's stored hash is still the one the entry was verified against
        (None or empty: the user is gone, inactive or has no password)."""
        with self._lock:
            self._own()
            return bool(current_hash) and hmac.compare_digest(
                entry.hash_fingerprint, self._mac("password-hash", current_hash or "")
            )

    def forget(self, realm: str, login: str, password: str) -> None:
        with self._lock:
            self._own()
            self._entries.pop(self._mac("credentials", realm, login, password), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def snapshot(self) -> list[tuple[bytes, VerifiedPassword]]:
        """The entries as they are (for inspection: they hold no secret worth hiding)."""
        with self._lock:
            self._own()
            return list(self._entries.items())

    def __len__(self) -> int:
        with self._lock:
            self._own()
            return len(self._entries)
