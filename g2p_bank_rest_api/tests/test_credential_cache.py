"""The verified-password cache on its own: expiry, bound, keys, and a fresh start after a fork."""

from unittest import mock

from odoo.tests.common import BaseCase

from .. import credential_cache
from ..credential_cache import VerifiedPasswords

HASH = "$pbkdf2-sha512$600000$c2FsdA$aGFzaA"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class TestVerifiedPasswords(BaseCase):
    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.cache = VerifiedPasswords(seconds=60, size=3, clock=self.clock)

    def test_remembered_until_it_expires(self):
        self.cache.remember("db", "alice", "secret", 7, HASH)
        self.clock.now += 59
        entry = self.cache.lookup("db", "alice", "secret")
        self.assertEqual(entry.user_id, 7)
        self.assertTrue(self.cache.still_valid(entry, HASH))
        self.clock.now += 1
        self.assertIsNone(self.cache.lookup("db", "alice", "secret"))
        self.assertEqual(self.cache.snapshot(), [])

    def test_each_part_of_the_credentials_counts(self):
        self.cache.remember("db", "alice", "secret", 7, HASH)
        for other in (("db2", "alice", "secret"), ("db", "alice2", "secret"), ("db", "alice", "secret2")):
            self.assertIsNone(self.cache.lookup(*other), other)
        # Length-prefixed parts: moving a character from one part to the next is another triple.
        self.assertIsNone(self.cache.lookup("db", "alices", "ecret"))

    def test_another_hash_is_not_valid(self):
        self.cache.remember("db", "alice", "secret", 7, HASH)
        entry = self.cache.lookup("db", "alice", "secret")
        self.assertFalse(self.cache.still_valid(entry, HASH + "x"))
        self.assertFalse(self.cache.still_valid(entry, ""))

    def test_bounded_oldest_dropped_first(self):
        for index in range(5):
            self.cache.remember("db", f"user{index}", "secret", index, HASH)
            self.clock.now += 1
        self.assertEqual(len(self.cache.snapshot()), 3)
        self.assertIsNone(self.cache.lookup("db", "user1", "secret"))
        self.assertEqual(self.cache.lookup("db", "user4", "secret").user_id, 4)

    def test_forget(self):
        self.cache.remember("db", "alice", "secret", 7, HASH)
        self.cache.forget("db", "alice", "secret")
        self.assertIsNone(self.cache.lookup("db", "alice", "secret"))

    def test_a_forked_process_starts_empty_with_its_own_secret(self):
        self.cache.remember("db", "alice", "secret", 7, HASH)
        [(parent_key, _entry)] = self.cache.snapshot()
        with mock.patch.object(credential_cache.os, "getpid", return_value=-1):
            self.assertIsNone(self.cache.lookup("db", "alice", "secret"))
            self.cache.remember("db", "alice", "secret", 7, HASH)
            [(child_key, _entry)] = self.cache.snapshot()
        self.assertNotEqual(parent_key, child_key)
