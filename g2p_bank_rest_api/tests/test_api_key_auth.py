"""API keys as the Basic password, through Odoo's real HTTP dispatcher."""

import os
import unittest
from unittest import mock

from odoo.modules.registry import DummyRLock
from odoo.tests import tagged
from odoo.tests.common import HttpCase
from odoo.tools import mute_logger

from .common import RegistryDataMixin

ROOT = "/api/v1/registry"


@tagged("post_install", "-at_install")
@unittest.skipIf(os.getenv("SKIP_HTTP_CASE"), "HTTP cases skipped")
class TestApiKeyAuthentication(HttpCase, RegistryDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_registry_data()
        cls.env.ref("g2p_registry_rest_api.fastapi_endpoint_registry")._handle_registry_sync()
        cls.registrant = cls.env["res.partner"].create({"name": "KEY, HOLDER", "is_registrant": True})
        cls.api_key = cls.env["res.users.apikeys"].with_user(cls.api_user)._generate("rpc", "integration")

    def get_accounts(self, login, secret):
        # Same reason as in test_http: the auth dependency may open a cursor in another thread.
        with mock.patch.object(self.registry, "test_lock", DummyRLock()):
            return self.opener.get(
                f"{self.base_url()}{ROOT}/registrant/{self.registrant.id}/bank_accounts",
                auth=(login, secret),
                timeout=60,
            )

    def test_api_key_is_accepted_as_basic_password(self):
        response = self.get_accounts(self.api_user.login, self.api_key)
        self.assertEqual(response.status_code, 200, response.text)

    def test_password_still_accepted(self):
        response = self.get_accounts(self.api_user.login, self.api_password)
        self.assertEqual(response.status_code, 200, response.text)

    def test_key_of_another_user_is_refused(self):
        with mute_logger("odoo.http", "odoo.addons.base.models.res_users"):
            response = self.get_accounts("admin", self.api_key)
        self.assertEqual(response.status_code, 401, response.text)

    def test_revoked_key_is_refused(self):
        self.env["res.users.apikeys"].sudo().search([("user_id", "=", self.api_user.id)]).unlink()
        with mute_logger("odoo.http", "odoo.addons.base.models.res_users"):
            response = self.get_accounts(self.api_user.login, self.api_key)
        self.assertEqual(response.status_code, 401, response.text)

    def test_wrong_key_is_refused(self):
        wrong = self.api_key[:-1] + ("0" if self.api_key[-1] != "0" else "1")
        with mute_logger("odoo.http", "odoo.addons.base.models.res_users"):
            response = self.get_accounts(self.api_user.login, wrong)
        self.assertEqual(response.status_code, 401, response.text)
