"""The remembered-passwords cache both runtimes use: keyed so that it holds no password,
bounded, short-lived, trusted only while the user's password hash is unchanged, and started
afresh in a forked process."""

from __future__ import annotations

from unittest import mock

import pytest

from g2p_bank_server.rules import verified_passwords as module
from g2p_bank_server.rules.verified_passwords import CACHE_SECONDS, CACHE_SIZE, VerifiedPasswords

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> VerifiedPasswords:
    return VerifiedPasswords(seconds=60, size=3, clock=clock)


def test_one_minute_and_a_thousand_entries_by_default():
    assert (CACHE_SECONDS, CACHE_SIZE) == (60.0, 1024)


def test_remembered_until_the_instant_it_expires(cache, clock):
    cache.remember("db", "alice", "secret", 7, HASH)
    clock.now += 59.999
    entry = cache.lookup("db", "alice", "secret")
    assert entry is not None and entry.user_id == 7
    assert cache.still_valid(entry, HASH)
    clock.now = entry.expires
    assert cache.lookup("db", "alice", "secret") is None
    assert cache.snapshot() == [] and len(cache) == 0


def test_entries_hold_no_password_login_or_hash(cache):
    cache.remember("db", "alice", "secret password", 1, HASH)
    stored = repr(cache.snapshot()).encode()  # what the process memory holds
    assert b"secret password" not in stored and b"alice" not in stored and b"aGFzaA" not in stored


def test_each_part_of_the_credentials_counts(cache):
    cache.remember("db", "alice", "secret", 7, HASH)
    for other in (("db2", "alice", "secret"), ("db", "alice2", "secret"), ("db", "alice", "secret2")):
        assert cache.lookup(*other) is None, other
    # Length-prefixed parts: moving characters across a boundary makes another triple.
    assert cache.lookup("db", "alices", "ecret") is None
    cache.remember("", "u", "x\0y", 2, HASH)
    assert cache.lookup("", "u\0x", "y") is None


def test_trusted_only_with_the_same_password_hash(cache):
    cache.remember("", "alice", "pw", 1, HASH)
    entry = cache.lookup("", "alice", "pw")
    assert cache.still_valid(entry, HASH)
    assert not cache.still_valid(entry, HASH + "x"), "password changed"
    assert not cache.still_valid(entry, None), "user deactivated or removed"
    assert not cache.still_valid(entry, ""), "user without a password"


def test_forget_and_clear(cache):
    cache.remember("", "alice", "pw", 1, HASH)
    cache.remember("", "bob", "pw", 2, HASH)
    cache.forget("", "alice", "pw")
    assert cache.lookup("", "alice", "pw") is None and cache.lookup("", "bob", "pw") is not None
    cache.clear()
    assert len(cache) == 0


def test_bounded_and_the_oldest_go_first(cache, clock):
    for index in range(5):
        cache.remember("", f"user{index}", "pw", index, HASH)
        clock.now += 1
    assert len(cache) == 3
    assert cache.lookup("", "user0", "pw") is None and cache.lookup("", "user1", "pw") is None
    assert [cache.lookup("", f"user{index}", "pw").user_id for index in (2, 3, 4)] == [2, 3, 4]


def test_remembering_again_renews_and_does_not_duplicate(cache, clock):
    cache.remember("", "alice", "pw", 1, HASH)
    clock.now += 50
    cache.remember("", "alice", "pw", 1, HASH)
    clock.now += 50
    assert cache.lookup("", "alice", "pw") is not None and len(cache) == 1


def test_two_caches_derive_different_keys():
    first, second = VerifiedPasswords(), VerifiedPasswords()
    first.remember("", "alice", "pw", 1, HASH)
    second.remember("", "alice", "pw", 1, HASH)
    assert {key for key, _ in first.snapshot()} != {key for key, _ in second.snapshot()}


def test_a_forked_process_starts_empty_with_its_own_secret(cache):
    cache.remember("db", "alice", "secret", 7, HASH)
    [(parent_key, _entry)] = cache.snapshot()
    with mock.patch.object(module.os, "getpid", return_value=-1):
        assert cache.lookup("db", "alice", "secret") is None
        cache.remember("db", "alice", "secret", 7, HASH)
        [(child_key, _entry)] = cache.snapshot()
    assert parent_key != child_key


def test_the_registry_core_imports_the_shared_rules_without_the_bank_extension():
    """The core's authentication uses this cache: importing it must not load the bank tables,
    routes and processing, which only the extension's entry point brings."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, g2p_registry_server.api.authentication;"
            "print(sorted(m for m in sys.modules if m.startswith('g2p_bank_server.')"
            " and not m.startswith('g2p_bank_server.rules')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "[]"
