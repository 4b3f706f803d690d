"""The bulk and payment-list routes through Odoo's real HTTP dispatcher, with Basic auth."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ID_TYPE, RegistryHttpCase, bank_item, individual_body

ROOT = "/api/v1/registry"


@tagged("post_install", "-at_install")
class TestBulkOverHttp(RegistryHttpCase):
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
