"""Through Odoo's real HTTP dispatcher, with Basic auth: one transaction per request."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ID_TYPE, RegistryHttpCase, bank_item, individual_body, member_body

ROOT = "/api/v1/registry"


@tagged("post_install", "-at_install")
class TestRegistryOverHttp(RegistryHttpCase):
    def test_basic_auth_is_required(self):
        with mute_logger("odoo.http"):  # Odoo logs every HTTPException raised in FastAPI
            response = self.call("GET", "/registrant/1/bank_accounts", auth=False)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.headers.get("WWW-Authenticate"), "Basic")

    def test_malformed_accept_language_is_ignored(self):
        # OCA fastapi's header parser raises on it: without the addon, every route answers 500.
        response = self.call(
            "GET", "/individual", params={"name": "NOBODY"}, headers={"Accept-Language": ";G'}"}
        )
        self.assertNotEqual(response.status_code, 500, response.text)
        self.assertEqual(response.status_code, 400, response.text)  # the registry's "no match"

    def test_post_individual_with_accounts_then_update(self):
        body = individual_body("HTTP, JOHN", "H-1", bank_ids=[bank_item("Http Bank", "H-100")])
        created = self.call("POST", "/individual", body)
        self.assertEqual(created.status_code, 200, created.text)
        registrant_id = created.json()["id"]
        update = {
            "updateId": "H-1",
            "ids": [],
            "name": None,
            "given_name": None,
            "gender": None,
            "birth_place": None,
            "bank_ids": [bank_item("Http Bank", "h 100", primary=True), bank_item("Http Bank", "H-200")],
        }
        for _attempt in range(2):
            updated = self.call("PUT", "/update_individual", [update], params={"id_type": ID_TYPE})
            self.assertEqual(updated.status_code, 200, updated.text)
        listed = self.call("GET", f"/registrant/{registrant_id}/bank_accounts")
        # The account keeps the number as first stored: its identity did not change.
        self.assertEqual([a["acc_number"] for a in listed.json()], ["H-100", "H-200"])
        self.assertEqual(listed.json(), updated.json()[0]["bank_ids"])
        # What a successful request wrote is there for the next one (and for this test's cursor).
        registrant = self.env["res.partner"].browse(registrant_id)
        self.assertEqual(self.accounts_of(registrant).mapped("acc_number"), ["H-100", "H-200"])

    def test_failed_request_writes_nothing(self):
        # The member and its new bank are created before the unknown group kind is noticed.
        body = {
            "name": "HTTP ROLLBACK GROUP",
            "registration_date": "2024-01-02",
            "ids": [],
            "kind": "No Such Group Kind",
            "is_partial_group": False,
            "members": [member_body("HTTP, ROLLBACK", bank_ids=[bank_item("Rollback Only Bank", "R-1")])],
        }
        with mute_logger("odoo.http"):
            response = self.call("POST", "/group", body)
        self.assertEqual(response.status_code, 400, response.text)
        self.assertFalse(self.env["res.partner"].search([("name", "in", ["HTTP, ROLLBACK", body["name"]])]))
        self.assertFalse(self.banks_named("Rollback Only Bank"))

    def test_invalid_item_is_422_and_writes_nothing(self):
        body = individual_body("HTTP, INVALID", bank_ids=[bank_item("Never Bank", "1"), bank_item(" ", "2")])
        with mute_logger("odoo.http"):
            response = self.call("POST", "/individual", body)
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "bank_ids", 1, "bank_name"])
        self.assertFalse(self.banks_named("Never Bank"))
