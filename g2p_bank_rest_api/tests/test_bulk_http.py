"""The bulk and payment-list routes through Odoo's real HTTP dispatcher, with Basic auth."""

import os
import unittest
from unittest import mock

from odoo.modules.registry import DummyRLock
from odoo.tests import tagged
from odoo.tests.common import HttpCase
from odoo.tools import mute_logger

from .common import ID_TYPE, RegistryDataMixin, bank_item, individual_body

ROOT = "/api/v1/registry"


@tagged("post_install", "-at_install")
@unittest.skipIf(os.getenv("SKIP_HTTP_CASE"), "HTTP cases skipped")
class TestBulkOverHttp(HttpCase, RegistryDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_registry_data()
        cls.env.ref("g2p_registry_rest_api.fastapi_endpoint_registry")._handle_registry_sync()

    def call(self, method, path, body=None, auth=True, params=None):
        # As in test_http: the auth dependency may open a second cursor in another thread.
        with mock.patch.object(self.registry, "test_lock", DummyRLock()):
            return self.opener.request(
                method,
                self.base_url() + ROOT + path,
                json=body,
                params=params,
                auth=(self.api_user.login, self.api_password) if auth else None,
                timeout=60,
            )

    def test_both_routes_require_basic_auth(self):
        with mute_logger("odoo.http"):
            for method, path, body in (
                ("POST", "/bulk/individual", []),
                ("GET", "/payment_accounts", None),
            ):
                with self.subTest(path=path):
                    response = self.call(method, path, body, auth=False, params={"id_type": ID_TYPE})
                    self.assertEqual(response.status_code, 401, response.text)
                    self.assertEqual(response.headers.get("WWW-Authenticate"), "Basic")

    def test_bulk_then_payment_list_over_http(self):
        body = individual_body("HTTP, BULK", "HB-1", bank_ids=[bank_item("Http Bulk Bank", "HB-100")])
        created = self.call("POST", "/bulk/individual", [body], params={"id_type": ID_TYPE})
        self.assertEqual(created.status_code, 200, created.text)
        [result] = created.json()
        self.assertEqual(result["status"], "created")
        again = self.call("POST", "/bulk/individual", [body], params={"id_type": ID_TYPE})
        self.assertEqual(again.json()[0]["status"], "unchanged")
        listed = self.call("GET", "/payment_accounts", params={"limit": 1000}).json()
        [item] = [item for item in listed["items"] if item["registrant_id"] == result["id"]]
        self.assertEqual(item["account"]["acc_number"], "HB-100")
        self.assertEqual(item["ids"], [{"id_type": ID_TYPE, "value": "HB-1"}])

    def test_unknown_id_type_writes_nothing(self):
        before = self.env["res.partner"].search_count([])
        with mute_logger("odoo.http"):
            response = self.call(
                "POST",
                "/bulk/individual",
                [individual_body("HTTP, NOBODY", "HB-2")],
                params={"id_type": "Nope"},
            )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(self.env["res.partner"].search_count([]), before)
