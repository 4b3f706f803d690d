"""The cache of verified passwords: keyed so that it holds no password, bounded, short-lived,
and trusted only while the user's password hash is unchanged; and the shape of API keys."""

from __future__ import annotations

import time

from g2p_registry_server.auth.api_keys import DISPLAY_LENGTH, key_digest, looks_like_key, new_key
from g2p_registry_server.auth.passwords import VerifiedCredentials


def test_entries_hold_no_password_and_tell_pairs_apart():
    cache = VerifiedCredentials()
    cache.put("alice", "secret password", 1, "$argon2id$hash-1")
    entry = cache.get("alice", "secret password")
    assert entry is not None and entry.user_id == 1
    stored = repr(cache._entries).encode()  # what the process memory holds
    assert b"secret password" not in stored and b"alice" not in stored and b"hash-1" not in stored
    assert cache.get("alice", "secret passwor") is None
    assert cache.get("alic", "esecret password") is None
    cache.put("u", "x\0y", 2, "$argon2id$hash-2")
    assert cache.get("u\0x", "y") is None, "user/password boundaries cannot shift"


def test_two_processes_derive_different_keys():
    first, second = VerifiedCredentials(), VerifiedCredentials()
    first.put("alice", "pw", 1, "h")
    second.put("alice", "pw", 1, "h")
    assert set(first._entries) != set(second._entries)


def test_entry_trusted_only_with_the_same_password_hash():
    cache = VerifiedCredentials()
    cache.put("alice", "pw", 1, "$argon2id$old")
    entry = cache.get("alice", "pw")
    assert cache.still_valid(entry, "$argon2id$old")
    assert not cache.still_valid(entry, "$argon2id$new"), "password changed"
    assert not cache.still_valid(entry, None), "user deactivated or removed"
    cache.forget("alice", "pw")
    assert cache.get("alice", "pw") is None


def test_entries_expire():
    cache = VerifiedCredentials(seconds=0.05)
    cache.put("alice", "pw", 1, "h")
    assert cache.get("alice", "pw") is not None
    time.sleep(0.1)
    assert cache.get("alice", "pw") is None
    assert len(cache) == 0


def test_size_is_bounded_and_the_oldest_go_first():
    cache = VerifiedCredentials(size=3)
    for index in range(5):
        cache.put(f"user{index}", "pw", index, "h")
    assert len(cache) == 3
    assert cache.get("user0", "pw") is None and cache.get("user1", "pw") is None
    assert [cache.get(f"user{index}", "pw").user_id for index in (2, 3, 4)] == [2, 3, 4]


def test_api_keys_are_high_entropy_and_recognised():
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert looks_like_key(key) and len(key) == 47
        assert len(key_digest(key)) == 64 and key not in key_digest(key)
    assert DISPLAY_LENGTH == 12
    assert not looks_like_key("g2p_short")
    assert not looks_like_key("an ordinary password")
