"""Scopes through Odoo's real HTTP dispatcher: users (and their API keys) holding different
groups, the OpenAPI document, and the users that existed before scopes."""

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from ..rules.scopes import SCOPE_GROUPS
from ..scope_compatibility import grant_every_scope_to_existing_users, users_keeping_every_scope
from .common import ID_TYPE, VALID_IBAN, RegistryHttpCase, bank_item, individual_body

UPSTREAM_POST = "g2p_registry_rest_api.group_g2p_rest_api_post"


@tagged("post_install", "-at_install")
class TestScopesOverHttp(RegistryHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registrant = cls.env["res.partner"].create(
            {
                "name": "HTTP SCOPE, HOLDER",
                "given_name": "HOLDER",
                "is_registrant": True,
                "bank_ids": [Command.create({"acc_number": VALID_IBAN})],
            }
        )
        cls.masked_reader = cls.scoped_user("http_masked_reader", "registry:read", "bank:read")
        cls.nobody = cls.scoped_user("http_nobody")

    def as_user(self, user, method, path, body=None, params=None, secret=None):
        return self.call(method, path, body, auth=(user.login, secret or self.api_password), params=params)

    def test_a_masked_reader_sees_masked_numbers_and_writes_nothing(self):
        answer = self.as_user(self.masked_reader, "GET", f"/individual/{self.registrant.id}")
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["bank_ids"][0]["acc_number"], "\u2026" + VALID_IBAN[-4:])
        self.assertTrue(answer.json()["bank_ids"][0]["masked"])
        self.assertNotIn(VALID_IBAN, answer.text)
        body = individual_body(
            "HTTP SCOPE, REFUSED", "HS-1", bank_ids=[bank_item("Http Refused Bank", "HS-100")]
        )
        with mute_logger("odoo.http"):
            refused = self.as_user(self.masked_reader, "POST", "/individual", body)
        self.assertEqual(refused.status_code, 403, refused.text)
        self.assertEqual(refused.json(), {"detail": "Missing scope registry:write"})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "HTTP SCOPE, REFUSED")]))
        self.assertFalse(self.banks_named("Http Refused Bank"))

    def test_a_writer_without_bank_write_is_refused_whole(self):
        writer = self.scoped_user("http_writer", "registry:read", "registry:write")
        update = {
            "updateId": "HS-2",
            "ids": [],
            "name": "HTTP SCOPE, RENAMED",
            "given_name": None,
            "gender": None,
        }
        update["birth_place"] = None
        update["bank_ids"] = [bank_item("Http Refused Bank", "HS-200")]
        self.env["res.partner"].create(
            {
                "name": "HTTP SCOPE, WRITTEN",
                "is_registrant": True,
                "reg_ids": [Command.create({"id_type": self.id_type.id, "value": "HS-2"})],
            }
        )
        with mute_logger("odoo.http"):
            refused = self.as_user(writer, "PUT", "/update_individual", [update], params={"id_type": ID_TYPE})
        self.assertEqual(refused.status_code, 403, refused.text)
        self.assertIn("bank:write", refused.json()["detail"])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "HTTP SCOPE, RENAMED")]))
        del update["bank_ids"]
        renamed = self.as_user(writer, "PUT", "/update_individual", [update], params={"id_type": ID_TYPE})
        self.assertEqual(renamed.status_code, 200, renamed.text)
        self.assertIsNone(renamed.json()[0]["bank_ids"])  # no bank:read

    def test_a_user_without_groups_is_refused_everywhere(self):
        with mute_logger("odoo.http"):
            for method, path, body, params in (
                ("GET", f"/individual/{self.registrant.id}", None, None),
                ("GET", f"/registrant/{self.registrant.id}/bank_accounts", None, None),
                ("GET", "/payment_accounts", None, None),
                ("POST", "/bulk/individual", [], {"id_type": ID_TYPE}),
            ):
                with self.subTest(path=path):
                    response = self.as_user(self.nobody, method, path, body, params)
                    self.assertEqual(response.status_code, 403, response.text)
                    self.assertTrue(response.json()["detail"].startswith("Missing scope "))

    def test_a_group_removed_takes_effect_on_the_next_request(self):
        path = f"/individual/{self.registrant.id}"
        self.assertEqual(self.as_user(self.masked_reader, "GET", path).status_code, 200)
        # The password is remembered now (rules.verified_passwords); the groups are read again anyway.
        self.masked_reader.groups_id = [Command.unlink(self.env.ref(SCOPE_GROUPS["registry:read"]).id)]
        with mute_logger("odoo.http"):
            refused = self.as_user(self.masked_reader, "GET", path)
        self.assertEqual(refused.status_code, 403, refused.text)
        self.assertEqual(refused.json(), {"detail": "Missing scope registry:read"})

    def test_an_api_key_carries_its_users_groups(self):
        key = (
            self.env["res.users.apikeys"].with_user(self.masked_reader)._generate("rpc", "masked integration")
        )
        answer = self.as_user(self.masked_reader, "GET", f"/individual/{self.registrant.id}", secret=key)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertTrue(answer.json()["bank_ids"][0]["masked"])
        with mute_logger("odoo.http"):
            refused = self.as_user(self.masked_reader, "GET", "/payment_accounts", secret=key)
        self.assertEqual(refused.status_code, 403, refused.text)
        self.assertIn("bank:reveal", refused.json()["detail"])

    def test_a_user_of_upstreams_groups_keeps_full_access_after_the_upgrade(self):
        # As an upstream integration was set up: a user holding upstream's REST API groups only.
        integration = self.env["res.users"].create(
            {
                "name": "Upstream integration",
                "login": "http_upstream_integration",
                "password": self.api_password,
                "groups_id": [
                    Command.set([self.env.ref("base.group_portal").id, self.env.ref(UPSTREAM_POST).id])
                ],
            }
        )
        with mute_logger("odoo.http"):
            before = self.as_user(integration, "GET", f"/individual/{self.registrant.id}")
        self.assertEqual(before.status_code, 403, before.text)
        grant_every_scope_to_existing_users(self.env)
        answer = self.as_user(integration, "GET", f"/individual/{self.registrant.id}")
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["bank_ids"][0]["acc_number"], VALID_IBAN)
        body = individual_body(
            "HTTP SCOPE, UPSTREAM", "HS-3", bank_ids=[bank_item("Http Upstream Bank", "HS-300")]
        )
        created = self.as_user(integration, "POST", "/individual", body)
        self.assertEqual(created.status_code, 200, created.text)
        self.assertEqual(created.json()["bank_ids"][0]["acc_number"], "HS-300")
        listed = self.as_user(integration, "GET", "/payment_accounts", params={"limit": 1000})
        self.assertEqual(listed.status_code, 200, listed.text)

    def test_every_operation_documents_its_scope_and_403(self):
        document = self.call("GET", "/openapi.json", auth=False).json()
        operations = {
            (method.upper(), path): operation
            for path, item in document["paths"].items()
            for method, operation in item.items()
        }
        self.assertGreaterEqual(len(operations), 14)
        for (method, path), operation in operations.items():
            with self.subTest(method=method, path=path):
                forbidden = operation["responses"].get("403")
                self.assertIsNotNone(forbidden)
                self.assertTrue(any(scope in forbidden["description"] for scope in SCOPE_GROUPS))
        expected = {
            ("GET", "/individual/{_id}"): "registry:read",
            ("GET", "/get_individual_ids"): "registry:read",
            ("PUT", "/update_individual"): "registry:write",
            ("POST", "/group"): "registry:write",
            ("POST", "/bulk/individual"): "registry:write",
            ("GET", "/registrant/{registrant_id}/bank_accounts"): "bank:read",
            ("DELETE", "/registrant/{registrant_id}/bank_accounts/{account_id}"): "bank:write",
            ("GET", "/payment_accounts"): "bank:reveal",
        }
        for (method, path), scope in expected.items():
            with self.subTest(method=method, path=path):
                self.assertTrue(
                    operations[method, path]["responses"]["403"]["description"].startswith(
                        f"Missing scope {scope}"
                    )
                )
        self.assertIn("bank:write", operations["POST", "/individual"]["responses"]["403"]["description"])


class TestScopeCompatibility(TransactionCase):
    """Who keeps every scope when the addon is upgraded to 17.0.1.2.0 (the migration's function)."""

    def user(self, login, *groups, active=True):
        return self.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "active": active,
                "groups_id": [Command.set([self.env.ref(group).id for group in groups])],
            }
        )

    def scopes_of(self, user):
        return {scope for scope, group in SCOPE_GROUPS.items() if user.has_group(group)}

    def test_internal_users_and_upstream_api_users_keep_every_scope(self):
        internal = self.user("compat_internal", "base.group_user")
        upstream_get = self.user(
            "compat_portal_get", "base.group_portal", "g2p_registry_rest_api.group_g2p_rest_api_get"
        )
        upstream_post = self.user("compat_internal_post", "base.group_user", UPSTREAM_POST)
        portal = self.user("compat_portal", "base.group_portal")
        archived = self.user("compat_archived", "base.group_user", active=False)
        template = self.env.ref("base.default_user", raise_if_not_found=False)
        for user in (internal, upstream_get, upstream_post, portal, archived):
            self.assertEqual(self.scopes_of(user), set(), user.login)
        kept = grant_every_scope_to_existing_users(self.env)
        for user in (internal, upstream_get, upstream_post):
            with self.subTest(user=user.login):
                self.assertIn(user, kept)
                self.assertEqual(self.scopes_of(user), set(SCOPE_GROUPS))
        for user in (portal, archived) + ((template,) if template else ()):
            with self.subTest(user=user.login):
                self.assertNotIn(user, kept)
                self.assertEqual(self.scopes_of(user), set())
        self.assertIn(self.env.ref("base.user_admin"), users_keeping_every_scope(self.env))

    def test_a_new_installation_gives_the_scopes_to_settings_administrators_only(self):
        self.assertEqual(self.scopes_of(self.env.ref("base.user_admin")), set(SCOPE_GROUPS))
        self.assertEqual(self.scopes_of(self.user("fresh_internal", "base.group_user")), set())
        # Seeing full numbers includes seeing the accounts.
        revealer = self.user("fresh_revealer", "base.group_user", SCOPE_GROUPS["bank:reveal"])
        self.assertEqual(self.scopes_of(revealer), {"bank:read", "bank:reveal"})
