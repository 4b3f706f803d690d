"""Who may do what (contract section 5): the scope each route needs (403 naming it, nothing
written), and how much of the bank accounts each caller sees in every answer."""

from fastapi import status

from odoo.addons.g2p_registry_rest_api.routers.group import group_router
from odoo.addons.g2p_registry_rest_api.routers.individual import individual_router
from odoo.addons.g2p_registry_rest_api.schemas.group_membership import GroupMembersInfoResponse

from ..models.bank_account_service import VISIBILITY_CONTEXT_KEY
from ..routers import bank_account_router, bulk_router, payment_accounts_router
from ..rules.scopes import SCOPE_GROUPS, BankVisibility
from .common import (
    ID_TYPE,
    VALID_IBAN,
    VALID_IBAN_COMPACT,
    BankApiCase,
    bank_item,
    individual_body,
    update_body,
)

MASKED_IBAN = "\u2026" + VALID_IBAN[-4:]  # "…" and the last four characters of the number as stored
OTHER_NUMBER = "SCOPE-7788"


class ScopeCase(BankApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registrant = cls.env["res.partner"].create(
            {
                "name": "SCOPE, HOLDER",
                "given_name": "HOLDER",
                "family_name": "SCOPE",
                "is_registrant": True,
                "is_group": False,
                "reg_ids": [(0, 0, {"id_type": cls.id_type.id, "value": "SC-1"})],
            }
        )
        cls.group = cls.env["res.partner"].create(
            {"name": "SCOPE HOUSEHOLD", "is_registrant": True, "is_group": True}
        )
        cls.env["g2p.group.membership"].create({"group": cls.group.id, "individual": cls.registrant.id})
        bank = cls.env["res.bank"].create({"name": "Scope Bank"})
        for partner, number in (
            (cls.registrant, VALID_IBAN),
            (cls.registrant, OTHER_NUMBER),
            (cls.group, "G-4321"),
        ):
            cls.env["res.partner.bank"].create(
                {"partner_id": partner.id, "acc_number": number, "bank_id": bank.id}
            )
        # One user per set of scopes a test needs.
        cls.nobody = cls.scoped_user("scope_none")
        cls.reader = cls.scoped_user("scope_registry_read", "registry:read")
        cls.masked_reader = cls.scoped_user("scope_bank_read", "registry:read", "bank:read")
        cls.revealer = cls.scoped_user("scope_bank_reveal", "registry:read", "bank:reveal")
        cls.writer = cls.scoped_user("scope_registry_write", "registry:read", "registry:write")
        cls.bank_writer = cls.scoped_user("scope_bank_write", "registry:write", "bank:write")

    def send(self, caller, router, method, path, body=None, params=None):
        with self.client(router, caller=caller) as client:
            return client.request(method, path, json=body, params=params)

    def assert_refused(self, response, scope):
        self.assertEqual(response.status_code, status.HTTP_403_FORBIDDEN, response.text)
        self.assertIn(scope, response.json()["detail"])

    def counts(self):
        self.env.flush_all()
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in ("res.partner", "res.partner.bank", "res.bank", "g2p.reg.id")
        }


class TestRouteScopes(ScopeCase):
    def test_registry_reads_need_registry_read(self):
        for router, path, params in (
            (individual_router, f"/individual/{self.registrant.id}", None),
            (individual_router, "/individual", {"name": "SCOPE, HOLDER"}),
            (individual_router, "/get_individual_ids", {"include_id_type": ID_TYPE}),
            (group_router, f"/group/{self.group.id}", None),
            (group_router, "/group", {"_id": self.group.id}),
        ):
            with self.subTest(path=path):
                self.assert_refused(
                    self.send(self.nobody, router, "GET", path, params=params), "registry:read"
                )
                # bank:read alone does not open the registry either
                bank_only = self.send(self.bank_writer, router, "GET", path, params=params)
                self.assert_refused(bank_only, "registry:read")
                allowed = self.send(self.reader, router, "GET", path, params=params)
                self.assertEqual(allowed.status_code, status.HTTP_200_OK, allowed.text)

    def test_registry_writes_need_registry_write_and_write_nothing(self):
        group_body = {
            "name": "SCOPE NEW HOUSEHOLD",
            "ids": [],
            "kind": self.group_kind.name,
            "is_partial_group": False,
            "members": [],
        }
        before = self.counts()
        for router, method, path, body, params in (
            (individual_router, "POST", "/individual", individual_body("SCOPE, NEW"), None),
            (group_router, "POST", "/group", group_body, None),
            (
                individual_router,
                "PUT",
                "/update_individual",
                [{"updateId": "SC-1", "name": "X"}],
                {"id_type": ID_TYPE},
            ),
            (
                bulk_router,
                "POST",
                "/bulk/individual",
                [individual_body("SCOPE, BULK", "SC-9")],
                {"id_type": ID_TYPE},
            ),
        ):
            with self.subTest(path=path):
                response = self.send(self.reader, router, method, path, body, params)
                self.assert_refused(response, "registry:write")
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.registrant.name, "SCOPE, HOLDER")

    def test_bank_ids_anywhere_in_a_write_need_bank_write_and_refuse_the_whole_request(self):
        items = [bank_item("Refused Bank", "REF-1")]
        member = {"name": "SCOPE, MEMBER", "bank_ids": items}
        group_body = {
            "name": "SCOPE REFUSED HOUSEHOLD",
            "ids": [],
            "kind": self.group_kind.name,
            "is_partial_group": False,
            "members": [member],  # only a member carries accounts
        }
        bulk = [
            individual_body("SCOPE, BULK OK", "SC-10"),
            individual_body("SCOPE, BULK BANK", "SC-11", bank_ids=items),
        ]
        before = self.counts()
        for router, method, path, body, params in (
            (
                individual_router,
                "POST",
                "/individual",
                individual_body("SCOPE, REFUSED", bank_ids=items),
                None,
            ),
            (group_router, "POST", "/group", group_body, None),
            (
                individual_router,
                "PUT",
                "/update_individual",
                [{"updateId": "SC-1", "name": "SCOPE, RENAMED", "bank_ids": items}],
                {"id_type": ID_TYPE},
            ),
            (bulk_router, "POST", "/bulk/individual", bulk, {"id_type": ID_TYPE}),
        ):
            with self.subTest(path=path, method=method):
                response = self.send(self.writer, router, method, path, body, params)
                self.assert_refused(response, "bank:write")
                self.assertIn("bank_ids", response.json()["detail"])
        self.assertEqual(self.counts(), before)
        self.assertFalse(self.banks_named("Refused Bank"))
        self.assertEqual(self.registrant.name, "SCOPE, HOLDER")
        # null or empty, like an absent key, writes no account: no bank:write needed
        for bank_ids in (None, []):
            with self.subTest(bank_ids=bank_ids):
                response = self.send(
                    self.writer,
                    individual_router,
                    "POST",
                    "/individual",
                    individual_body(f"SCOPE, NO ACCOUNT {bank_ids}", bank_ids=bank_ids),
                )
                self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)

    def test_account_sub_resource_needs_bank_read_and_bank_write(self):
        url = f"/registrant/{self.registrant.id}/bank_accounts"
        (account,) = self.accounts_of(self.registrant).filtered(lambda a: a.acc_number == OTHER_NUMBER)
        self.assert_refused(self.send(self.writer, bank_account_router, "GET", url), "bank:read")
        before = self.counts()
        for method, path, body in (
            ("POST", url, bank_item("Sub Bank", "SUB-1")),
            ("PUT", url, [bank_item("Sub Bank", "SUB-1")]),
            ("DELETE", f"{url}/{account.id}", None),
        ):
            with self.subTest(method=method):
                self.assert_refused(
                    self.send(self.masked_reader, bank_account_router, method, path, body), "bank:write"
                )
        self.assertEqual(self.counts(), before)
        self.assertTrue(account.active)
        allowed = self.send(self.bank_writer, bank_account_router, "DELETE", f"{url}/{account.id}")
        self.assertEqual(allowed.status_code, status.HTTP_204_NO_CONTENT, allowed.text)
        self.assertFalse(account.active)

    def test_payment_list_needs_bank_reveal(self):
        self.assert_refused(
            self.send(self.masked_reader, payment_accounts_router, "GET", "/payment_accounts"), "bank:reveal"
        )
        response = self.send(
            self.revealer, payment_accounts_router, "GET", "/payment_accounts", params={"limit": 1000}
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        (item,) = [item for item in response.json()["items"] if item["registrant_id"] == self.registrant.id]
        self.assertIn(item["account"]["acc_number"], (VALID_IBAN, OTHER_NUMBER))

    def test_a_group_removed_takes_effect_on_the_next_request(self):
        path = f"/individual/{self.registrant.id}"
        self.assertEqual(
            self.send(self.reader, individual_router, "GET", path).status_code, status.HTTP_200_OK
        )
        self.reader.groups_id = [(3, self.env.ref(SCOPE_GROUPS["registry:read"]).id)]
        self.assert_refused(self.send(self.reader, individual_router, "GET", path), "registry:read")


class TestAccountsInAnswers(ScopeCase):
    def registry_answers(self, caller):
        """Every registry answer about the test's registrant or its group."""
        with self.client(individual_router, caller=caller) as client:
            individual = client.get(f"/individual/{self.registrant.id}").json()
            (listed,) = client.get("/individual", params={"_id": self.registrant.id}).json()
        with self.client(group_router, caller=caller) as client:
            group = client.get(f"/group/{self.group.id}").json()
            (full,) = client.get("/group", params={"_id": self.group.id, "include_members_full": True}).json()
            (short,) = client.get("/group", params={"_id": self.group.id}).json()
        answers = {
            "individual": individual,
            "listed": listed,
            "group": group,
            "group full": full,
            "group short": short,
        }
        # Upstream's group answers leave the members out (contract section 4): see
        # test_group_members_follow_the_same_rule for theirs.
        self.assertEqual([group["group_membership_ids"], full["group_membership_ids"]], [[], []])
        return answers

    def test_group_members_follow_the_same_rule(self):
        membership = self.env["g2p.group.membership"].search([("group", "=", self.group.id)])
        expected = {
            BankVisibility.HIDDEN: None,
            BankVisibility.MASKED: [(MASKED_IBAN, True), ("\u20267788", True)],
            BankVisibility.REVEALED: [(VALID_IBAN, False), (OTHER_NUMBER, False)],
        }
        for visibility, accounts in expected.items():
            with self.subTest(visibility=visibility.name):
                context = dict(self.env.context, **{VISIBILITY_CONTEXT_KEY: visibility.value})
                answer = GroupMembersInfoResponse.model_validate(
                    membership.with_env(self.env(context=context))
                )
                shown = answer.model_dump()["individual"]["bank_ids"]
                if accounts is None:
                    self.assertIsNone(shown)
                else:
                    self.assertEqual([(a["acc_number"], a["masked"]) for a in shown], accounts)

    def test_without_bank_read_bank_ids_is_null_everywhere(self):
        for name, answer in self.registry_answers(self.reader).items():
            with self.subTest(answer=name):
                self.assertIn("bank_ids", answer)
                self.assertIsNone(answer["bank_ids"])

    def test_with_bank_read_numbers_are_masked_everywhere(self):
        answers = self.registry_answers(self.masked_reader)
        self.assertEqual(
            [(a["acc_number"], a["masked"]) for a in answers["individual"]["bank_ids"]],
            [(MASKED_IBAN, True), ("\u20267788", True)],
        )
        self.assertEqual([a["acc_number"] for a in answers["group"]["bank_ids"]], ["\u2026" + "4321"])
        for name, answer in answers.items():
            with self.subTest(answer=name):
                self.assertTrue(answer["bank_ids"])
                self.assertTrue(all(account["masked"] for account in answer["bank_ids"]))
                text = str(answer)
                for number in (VALID_IBAN, VALID_IBAN_COMPACT, OTHER_NUMBER, "G-4321"):
                    self.assertNotIn(number, text)
        with self.client(bank_account_router, caller=self.masked_reader) as client:
            listed = client.get(f"/registrant/{self.registrant.id}/bank_accounts")
        self.assertEqual(
            [(a["acc_number"], a["masked"]) for a in listed.json()],
            [(MASKED_IBAN, True), ("\u20267788", True)],
        )
        self.assert_no_full_number(listed, VALID_IBAN)

    def test_with_bank_reveal_numbers_are_full_everywhere(self):
        answers = self.registry_answers(self.revealer)
        self.assertEqual(
            [(a["acc_number"], a["masked"]) for a in answers["individual"]["bank_ids"]],
            [(VALID_IBAN, False), (OTHER_NUMBER, False)],
        )
        for name, answer in answers.items():
            with self.subTest(answer=name):
                self.assertTrue(answer["bank_ids"])
                self.assertFalse(any(account["masked"] for account in answer["bank_ids"]))
        with self.client(bank_account_router, caller=self.revealer) as client:
            listed = client.get(f"/registrant/{self.registrant.id}/bank_accounts").json()
        self.assertEqual([a["acc_number"] for a in listed], [VALID_IBAN, OTHER_NUMBER])

    def test_answers_to_writes_follow_the_same_rule(self):
        items = [bank_item("Answer Bank", VALID_IBAN)]
        # registry:write and bank:write, but not bank:read: the created individual's accounts stay hidden
        created = self.send(
            self.bank_writer,
            individual_router,
            "POST",
            "/individual",
            individual_body("SCOPE, WRITER", "SC-20", bank_ids=items),
        )
        self.assertEqual(created.status_code, status.HTTP_200_OK, created.text)
        self.assertIsNone(created.json()["bank_ids"])
        self.assertEqual(
            self.accounts_of(self.env["res.partner"].browse(created.json()["id"])).acc_number, VALID_IBAN
        )
        update = [update_body("SC-20", bank_ids=[bank_item("Answer Bank", "ANS-5555")])]
        updated = self.send(
            self.bank_writer, individual_router, "PUT", "/update_individual", update, {"id_type": ID_TYPE}
        )
        self.assertEqual(updated.status_code, status.HTTP_200_OK, updated.text)
        self.assertIsNone(updated.json()[0]["bank_ids"])
        # the sub-resource answers a write with the accounts written, masked at least
        url = f"/registrant/{self.registrant.id}/bank_accounts"
        added = self.send(
            self.bank_writer, bank_account_router, "POST", url, bank_item("Answer Bank", "ANS-9876")
        )
        self.assertEqual(added.status_code, status.HTTP_201_CREATED, added.text)
        self.assertEqual((added.json()["acc_number"], added.json()["masked"]), ("\u20269876", True))
        replaced = self.send(
            self.bank_writer, bank_account_router, "PUT", url, [bank_item("Answer Bank", VALID_IBAN)]
        )
        self.assertEqual([(a["acc_number"], a["masked"]) for a in replaced.json()], [(MASKED_IBAN, True)])
        self.assert_no_full_number(replaced, VALID_IBAN)

    def test_bulk_answers_carry_no_account_numbers(self):
        items = [
            individual_body(
                "SCOPE, BULK ANSWER", "SC-30", bank_ids=[bank_item("Bulk Answer Bank", VALID_IBAN)]
            )
        ]
        response = self.send(
            self.bank_writer, bulk_router, "POST", "/bulk/individual", items, {"id_type": ID_TYPE}
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        self.assertEqual(response.json()[0]["status"], "created")
        self.assert_no_full_number(response, VALID_IBAN)
