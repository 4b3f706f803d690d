"""Verified Basic-auth passwords are remembered, through Odoo's real HTTP dispatcher: the second
request skips the password hash, and nothing that should refuse a request is delayed by it."""

import datetime
import hashlib
from contextlib import contextmanager
from unittest import mock

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..dependencies import verified_passwords
from .common import RegistryHttpCase

ROOT = "/api/v1/registry"
NEW_PASSWORD = "bank-api-test-N3w-password"  # noqa: S105 - a throw-away test user


@tagged("post_install", "-at_install")
class TestPasswordCache(RegistryHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registrant = cls.env["res.partner"].create({"name": "CACHE, HOLDER", "is_registrant": True})

    def setUp(self):
        super().setUp()
        verified_passwords.clear()
        self.addCleanup(verified_passwords.clear)

    def get_accounts(self, secret, login=None):
        path = f"/registrant/{self.registrant.id}/bank_accounts"
        return self.call("GET", path, auth=(login or self.api_user.login, secret))

    def assert_refused(self, secret):
        with mute_logger("odoo.http", "odoo.addons.base.models.res_users"):
            response = self.get_accounts(secret)
        self.assertEqual(response.status_code, 401, response.text)

    @contextmanager
    def password_checks(self):
        """The users whose password Odoo hashed, one per check."""
        users_class = self.registry["res.users"]
        check = users_class._check_credentials
        checked = []

        def counting_check(user, password, user_agent_env):
            checked.append(user.id)
            return check(user, password, user_agent_env)

        with mock.patch.object(users_class, "_check_credentials", counting_check):
            yield checked

    def test_second_call_does_not_hash_the_password_again(self):
        with self.password_checks() as checked:
            for _call in range(3):
                response = self.get_accounts(self.api_password)
                self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(checked, [self.api_user.id])

    def test_full_check_still_records_the_login(self):
        logs = self.env["res.users.log"].sudo()
        before = logs.search_count([("create_uid", "=", self.api_user.id)])
        for _call in range(2):
            self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        self.assertEqual(logs.search_count([("create_uid", "=", self.api_user.id)]), before + 1)

    def test_changed_password_takes_effect_at_once(self):
        self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        self.api_user.password = NEW_PASSWORD
        self.env.flush_all()
        with self.password_checks() as checked:
            self.assert_refused(self.api_password)
            self.assertEqual(self.get_accounts(NEW_PASSWORD).status_code, 200)
        self.assertEqual(len(checked), 2)

    def test_archived_user_is_refused_at_once(self):
        self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        self.api_user.active = False
        self.env.flush_all()
        self.assert_refused(self.api_password)

    def test_wrong_password_is_never_accepted_after_a_right_one(self):
        with self.password_checks() as checked:
            self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
            for wrong in (self.api_password + "x", self.api_password[:-1], self.api_password.upper()):
                self.assert_refused(wrong)
            self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        # Every wrong password got Odoo's whole check; the right one only its first.
        self.assertEqual(len(checked), 4)

    def test_right_password_of_another_login_is_not_remembered_for_this_one(self):
        self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        with mute_logger("odoo.http", "odoo.addons.base.models.res_users"):
            response = self.get_accounts(self.api_password, login="admin")
        self.assertEqual(response.status_code, 401, response.text)

    def test_cache_holds_neither_password_nor_hash(self):
        self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        self.env.cr.execute("SELECT password FROM res_users WHERE id = %s", [self.api_user.id])
        [stored_hash] = self.env.cr.fetchone()
        entries = verified_passwords.snapshot()
        self.assertEqual(len(entries), 1)
        [(key, entry)] = entries
        self.assertEqual(entry.user_id, self.api_user.id)
        password = self.api_password.encode()
        for held in (key, entry.hash_fingerprint, repr(entry).encode()):
            self.assertNotIn(password, held)
            self.assertNotIn(stored_hash.encode(), held)
            self.assertNotIn(hashlib.sha256(password).digest(), held)
        self.assertEqual(len(key), 32)

    def test_login_cooldown_applies_to_a_remembered_password(self):
        self.assertEqual(self.get_accounts(self.api_password).status_code, 200)
        failures = self.registry._login_failures
        self.addCleanup(failures.clear)
        failures["127.0.0.1"] = (100, datetime.datetime.now())
        self.assert_refused(self.api_password)

    def test_api_keys_are_not_remembered(self):
        key = self.env["res.users.apikeys"].with_user(self.api_user)._generate("rpc", "integration")
        self.assertEqual(self.get_accounts(key).status_code, 200)
        self.assertEqual(verified_passwords.snapshot(), [])
