"""API keys as the Basic password, through Odoo's real HTTP dispatcher."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RegistryHttpCase

ROOT = "/api/v1/registry"


@tagged("post_install", "-at_install")
class TestApiKeyAuthentication(RegistryHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registrant = cls.env["res.partner"].create({"name": "KEY, HOLDER", "is_registrant": True})
        cls.api_key = cls.env["res.users.apikeys"].with_user(cls.api_user)._generate("rpc", "integration")

    def get_accounts(self, login, secret):
        return self.call("GET", f"/registrant/{self.registrant.id}/bank_accounts", auth=(login, secret))

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
