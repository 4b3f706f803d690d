"""Constant bank work per request: one bank lookup whatever the number of registrants and items,
and creates whose statements do not grow with their number of accounts."""

from unittest.mock import patch

from fastapi import Request, status

from odoo.addons.g2p_registry_rest_api.routers.group import group_router
from odoo.addons.g2p_registry_rest_api.routers.individual import individual_router

from .. import request_banks
from ..models import bank_lookup
from ..rules import BankKey
from .common import ID_TYPE, BankApiCase, bank_item, individual_body, member_body, update_body


class TestRequestBanks(BankApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.known_banks = cls.env["res.bank"].create(
            [{"name": f"Known Request Bank {index}"} for index in range(3)]
        )

    def counting_lookups(self):
        return patch.object(bank_lookup, "find_banks", wraps=bank_lookup.find_banks)

    def post(self, router, path, body):
        with self.client(router) as client:
            response = client.post(path, json=body)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        return response.json()

    def named(self, name):
        return self.env["res.partner"].search([("name", "=", name)])

    def post_group(self, tag, member_count):
        """POST /group with members naming a known and a new bank each; return the lookups sent."""
        members = [
            member_body(
                f"LOOKUP {tag}, MEMBER {index}",
                bank_ids=[
                    bank_item(f"known request bank {index}", f"KM-{index}"),
                    bank_item(f"New {tag} Bank {index}", f"NM-{index}"),
                ],
            )
            for index in range(member_count)
        ]
        body = {
            "name": f"LOOKUP {tag} HOUSEHOLD",
            "registration_date": "2024-01-02",
            "ids": [],
            "kind": self.group_kind.name,
            "is_partial_group": False,
            "bank_ids": [bank_item(f"New {tag} Bank 0", "G-1")],
            "members": members,
        }
        with self.counting_lookups() as find_banks:
            answer = self.post(group_router, "/group", body)
        for index in range(member_count):
            accounts = self.accounts_of(self.named(f"LOOKUP {tag}, MEMBER {index}"))
            self.assertEqual(accounts.mapped("acc_number"), [f"KM-{index}", f"NM-{index}"])
            self.assertEqual(accounts[0].bank_id, self.known_banks[index])
            self.assertEqual(accounts[1].bank_id.name, f"New {tag} Bank {index}")
        # The group names a bank a member's item created earlier in the same request.
        self.assertEqual(len(self.banks_named(f"New {tag} Bank 0")), 1)
        self.assertEqual(answer["bank_ids"][0]["bank_name"], f"New {tag} Bank 0")
        return find_banks.call_count

    def test_post_group_looks_up_the_banks_of_all_members_at_once(self):
        # Outside HTTP test mode the creation check looks through a second cursor: at most 2.
        lookups = [self.post_group("ONE", 1), self.post_group("THREE", 3)]
        self.assertEqual(lookups[0], lookups[1])
        self.assertLessEqual(lookups[1], 2)

    def update_several(self, tag, count):
        """PUT /update_individual of ``count`` registrants naming banks; return the lookups sent."""
        for index in range(count):
            self.post(
                individual_router, "/individual", individual_body(f"UPDATED {tag}, {index}", f"{tag}-{index}")
            )
        bodies = [
            update_body(
                f"{tag}-{index}",
                bank_ids=[
                    bank_item(f"Known Request Bank {index}", f"UK-{index}"),
                    bank_item(f"Known Request Bank {index}", f"UB-{index}", bic=f"COBADE{tag}"),
                ],
            )
            for index in range(count)
        ]
        with self.counting_lookups() as find_banks, self.client(individual_router) as client:
            response = client.put("/update_individual", params={"id_type": ID_TYPE}, json=bodies)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        for index in range(count):
            accounts = self.accounts_of(self.named(f"UPDATED {tag}, {index}"))
            self.assertEqual(accounts[0].bank_id, self.known_banks[index])
            # A BIC decides: the known bank of that name has none, so a bank with the BIC is created.
            self.assertEqual(
                (accounts[1].bank_id.name, accounts[1].bank_id.bic), ("Known Request Bank 0", f"COBADE{tag}")
            )
        return find_banks.call_count

    def test_update_of_several_registrants_looks_banks_up_at_once(self):
        lookups = [self.update_several("FF", 1), self.update_several("MM", 3)]
        self.assertEqual(lookups[0], lookups[1])
        self.assertLessEqual(lookups[1], 2)

    def test_the_lookup_belongs_to_its_request(self):
        self.post(
            individual_router,
            "/individual",
            individual_body("LOOKUP, SCOPED", bank_ids=[bank_item("Scoped Request Bank", "S-1")]),
        )
        self.assertIsNone(request_banks.current(self.env.cr))
        # A bank archived after that request is not served from what the request had found.
        self.banks_named("Scoped Request Bank").active = False
        answer = self.post(
            individual_router,
            "/individual",
            individual_body("LOOKUP, LATER", bank_ids=[bank_item("Scoped Request Bank", "S-2")]),
        )
        self.assertEqual(len(self.banks_named("Scoped Request Bank")), 2)
        self.assertTrue(self.accounts_of(self.env["res.partner"].browse(answer["id"])).bank_id.active)

    def test_a_rolled_back_savepoint_leaves_no_bank_behind_in_the_scope(self):
        body = {"bank_ids": [bank_item("Savepoint Bank", "SP-1")]}
        request = Request({"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""})
        scope = request_banks.env_knowing_request_banks(self.api_user.partner_id, body, request)
        env = next(scope)
        service = env["g2p.bank.account.service"]
        registrant = env["res.partner"].create({"name": "SAVEPOINT, TEST", "is_registrant": True})
        with self.assertRaises(ValueError), env.cr.savepoint():
            service.merge_items(registrant, body["bank_ids"])
            raise ValueError("roll the savepoint back")
        self.assertFalse(self.banks_named("Savepoint Bank"))
        service.merge_items(registrant, body["bank_ids"])
        self.assertEqual(self.accounts_of(registrant).bank_id, self.banks_named("Savepoint Bank"))
        scope.close()
        self.assertIsNone(request_banks.current(env.cr))

    def test_bodies_name_banks_only_in_well_formed_items(self):
        body = [
            {"bank_ids": [{"bank_name": " Some  Bank ", "bic": "deut deff"}, {"bank_name": "Other"}]},
            {"members": [{"individual": {"bank_ids": [{"bank_name": "Other", "bic": ""}]}}]},
            {"bank_ids": [{"bank_name": ""}, {"bank_name": 7}, {"bank_name": "X", "bic": "nope"}, "text"]},
            {"bank_ids": "not a list"},
        ]
        named = request_banks.named_banks(body)
        self.assertEqual(
            named,
            {
                BankKey("bic", "DEUTDEFF"): request_banks.NamedBank("Some  Bank", "DEUTDEFF"),
                BankKey("name", "other"): request_banks.NamedBank("Other", None),
            },
        )
        self.assertEqual(request_banks.named_banks(None), {})

    def test_create_statements_do_not_grow_with_accounts(self):
        def statements(count, tag):
            body = individual_body(
                f"COUNT, {tag}",
                bank_ids=[
                    bank_item("Known Request Bank 0", f"{tag}-{index}", primary=index == 0)
                    for index in range(count)
                ],
            )
            self.env.flush_all()
            before = self.cr.sql_log_count
            self.post(individual_router, "/individual", body)
            self.env.flush_all()
            return self.cr.sql_log_count - before

        statements(1, "WARM")  # fills Odoo's caches of reference data
        one = statements(1, "ONE")
        twenty = statements(20, "TWENTY")
        self.assertLessEqual(twenty - one, 2, f"1 account: {one} statements, 20 accounts: {twenty}")
