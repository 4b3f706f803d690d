"""Bank accounts through the registry's own routes: create, update, answers, validation."""

import json

from fastapi import status

from odoo.addons.g2p_registry_rest_api.routers.group import group_router
from odoo.addons.g2p_registry_rest_api.routers.individual import individual_router

from .common import (
    BAD_CHECKSUM_IBAN,
    ID_TYPE,
    VALID_IBAN,
    VALID_IBAN_COMPACT,
    BankApiCase,
    bank_item,
    individual_body,
    member_body,
    update_body,
)


class TestRegistryRoutes(BankApiCase):
    def post_individual(self, body):
        with self.client(individual_router) as client:
            return client.post("/individual", json=body)

    def update(self, *bodies):
        with self.client(individual_router) as client:
            return client.put("/update_individual", params={"id_type": ID_TYPE}, json=list(bodies))

    def create_individual(self, name, id_value=None, bank_ids=None):
        response = self.post_individual(individual_body(name, id_value, bank_ids=bank_ids))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        return self.env["res.partner"].browse(response.json()["id"])

    def test_post_individual_works_without_bank_ids(self):
        # Upstream answers 500 here: its processing reads image_1920, absent from this request.
        response = self.post_individual(individual_body("DOE, PLAIN"))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        self.assertEqual(response.json()["bank_ids"], [])

    def test_post_individual_creates_accounts_primary_first(self):
        response = self.post_individual(
            individual_body(
                "DOE, JANE",
                bank_ids=[
                    bank_item("  Bank  Of Tests ", VALID_IBAN),
                    bank_item("Second Test Bank", "12-345", primary=True, acc_holder_name="J. Doe"),
                ],
            )
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        answer = response.json()["bank_ids"]
        registrant = self.env["res.partner"].browse(response.json()["id"])
        accounts = self.accounts_of(registrant)
        self.assertEqual(
            answer,
            [
                {
                    "id": accounts[0].id,
                    "bank_name": "Second Test Bank",
                    "bic": None,
                    "acc_number": "12-345",
                    "acc_holder_name": "J. Doe",
                    "primary": True,
                    "shared": False,
                    "masked": False,
                },
                {
                    "id": accounts[1].id,
                    "bank_name": "Bank  Of Tests",
                    "bic": None,
                    "acc_number": VALID_IBAN,
                    "acc_holder_name": None,
                    "primary": False,
                    "shared": False,
                    "masked": False,
                },
            ],
        )
        self.assertEqual(accounts[1].sanitized_acc_number, VALID_IBAN_COMPACT)

    def test_post_group_with_members_gives_each_registrant_its_accounts(self):
        body = {
            "name": "TEST HOUSEHOLD",
            "registration_date": "2024-01-02",
            "ids": [],
            "kind": self.group_kind.name,
            "is_partial_group": False,
            "bank_ids": [bank_item("Group Test Bank", "G-100")],
            "members": [
                member_body("DOE, KID", bank_ids=[bank_item("group test BANK", "K-1", bic="DEUTDEFF")]),
                # upstream requires bank_ids on members; here it may be left out
                member_body("DOE, BABY"),
            ],
        }
        with self.client(group_router) as client:
            response = client.post("/group", json=body)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        group = self.env["res.partner"].browse(response.json()["id"])
        self.assertEqual([a["acc_number"] for a in response.json()["bank_ids"]], ["G-100"])
        kid = self.env["res.partner"].search([("name", "=", "DOE, KID")])
        self.assertEqual(self.accounts_of(kid).mapped("acc_number"), ["K-1"])
        self.assertEqual(self.accounts_of(kid).bank_id.bic, "DEUTDEFF")
        # "Group Test Bank" names, ignoring case, the bank the member's BIC created first.
        self.assertEqual(self.accounts_of(group).bank_id, self.accounts_of(kid).bank_id)
        self.assertEqual(self.accounts_of(group).bank_id.name, "group test BANK")
        self.assertFalse(self.accounts_of(self.env["res.partner"].search([("name", "=", "DOE, BABY")])))
        with self.client(group_router) as client:
            answers = [
                client.get(f"/group/{group.id}").json(),
                client.get("/group", params={"_id": group.id, "include_members_full": True}).json()[0],
                client.get("/group", params={"_id": group.id}).json()[0],
            ]
        for answer in answers:
            self.assertEqual([a["acc_number"] for a in answer["bank_ids"]], ["G-100"])

    def test_update_merges_by_normalized_number_and_is_idempotent(self):
        registrant = self.create_individual("ROE, RICH", "U-1", [bank_item("Merge Bank", VALID_IBAN_COMPACT)])
        (original,) = self.accounts_of(registrant)
        body = update_body(
            "U-1",
            bank_ids=[
                bank_item("merge  bank", VALID_IBAN.lower(), acc_holder_name="R. Roe"),
                bank_item("Merge Bank", "777"),
            ],
        )
        first = self.update(body)
        self.assertEqual(first.status_code, status.HTTP_200_OK, first.text)
        second = self.update(body)
        self.assertEqual(second.status_code, status.HTTP_200_OK, second.text)
        self.assertEqual(first.json()[0]["bank_ids"], second.json()[0]["bank_ids"])
        accounts = self.accounts_of(registrant)
        self.assertEqual(len(accounts), 2)
        self.assertEqual(accounts[0], original)
        self.assertEqual(original.acc_holder_name, "R. Roe")
        self.assertEqual(len(self.banks_named("Merge Bank", "merge  bank")), 1)
        # A null holder name in a merged item keeps the stored one (CONTRACT.md section 2).
        null_holder = update_body("U-1", bank_ids=[bank_item("Merge Bank", VALID_IBAN, acc_holder_name=None)])
        self.assertEqual(self.update(null_holder).status_code, status.HTTP_200_OK)
        self.assertEqual(original.acc_holder_name, "R. Roe")

    def test_update_without_bank_ids_leaves_accounts(self):
        registrant = self.create_individual("ROE, KEEP", "U-2", [bank_item("Keep Bank", "K-2")])
        for body in (update_body("U-2"), update_body("U-2", bank_ids=None), update_body("U-2", bank_ids=[])):
            response = self.update(body)
            self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
            self.assertEqual([a["acc_number"] for a in response.json()[0]["bank_ids"]], ["K-2"])
        self.assertEqual(len(self.accounts_of(registrant)), 1)

    def test_update_reactivates_archived_account_and_sets_primary(self):
        registrant = self.create_individual(
            "ROE, BACK", "U-3", [bank_item("Back Bank", "B-1"), bank_item("Back Bank", "B-2")]
        )
        first, second = self.accounts_of(registrant)
        second.active = False
        response = self.update(update_body("U-3", bank_ids=[bank_item("Back Bank", "b 2", primary=True)]))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        self.assertTrue(second.active)
        self.assertEqual(self.accounts_of(registrant), second + first)
        self.assertEqual(
            [(a["id"], a["primary"]) for a in response.json()[0]["bank_ids"]],
            [(second.id, True), (first.id, False)],
        )

    def test_every_registrant_answer_carries_bank_ids(self):
        registrant = self.create_individual("ROE, SEEN", "U-4", [bank_item("Seen Bank", "S-1")])
        archived = self.env["res.partner.bank"].create(
            {"partner_id": registrant.id, "acc_number": "S-0", "active": False}
        )
        with self.client(individual_router) as client:
            answers = [
                client.get(f"/individual/{registrant.id}").json(),
                client.get("/individual", params={"name": "ROE, SEEN"}).json()[0],
            ]
        for answer in answers:
            self.assertEqual([a["acc_number"] for a in answer["bank_ids"]], ["S-1"])
            self.assertNotIn(archived.id, [a["id"] for a in answer["bank_ids"]])

    def test_invalid_items_answer_422_naming_the_item_and_write_nothing(self):
        cases = {
            "bank_name": [bank_item("Fine Bank", "1"), bank_item("   ", "2")],
            "acc_number": [bank_item("Fine Bank", "1"), bank_item("Fine Bank", BAD_CHECKSUM_IBAN)],
            "bic": [bank_item("Fine Bank", "1"), bank_item("Fine Bank", "2", bic="NOT A BIC")],
            "primary": [bank_item("Fine Bank", "1", primary=True), bank_item("Fine Bank", "2", primary=True)],
        }
        cases_for_number = {
            "blank": bank_item("Fine Bank", "  "),
            "too long": bank_item("Fine Bank", "1" * 65),
            "duplicate": bank_item("Fine Bank", "0-1"),
        }
        for field, items in cases.items():
            with self.subTest(field=field):
                response = self.post_individual(individual_body("BAD, ITEM", bank_ids=items))
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
                locations = [error["loc"] for error in response.json()["detail"]]
                self.assertIn(["body", "bank_ids", 1, field], locations)
                self.assert_no_full_number(response, BAD_CHECKSUM_IBAN)
        for case, item in cases_for_number.items():
            with self.subTest(acc_number=case):
                body = individual_body("BAD, ITEM", bank_ids=[bank_item("Fine Bank", "01"), item])
                response = self.post_individual(body)
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
                locations = [error["loc"] for error in response.json()["detail"]]
                self.assertIn(["body", "bank_ids", 1, "acc_number"], locations)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "BAD, ITEM")]))
        self.assertFalse(self.banks_named("Fine Bank"))

    def test_text_the_database_cannot_store_answers_422_where_it_is(self):
        # NUL characters and lone surrogates: without the check, PostgreSQL fails the request (500).
        individual = individual_body("NUL\x00NAME", bank_ids=[bank_item("Fine Bank", "NUL-1")])
        member = member_body("DOE, MEMBER", birth_place="Lone \ud800 surrogate")
        group = {
            "name": "UNSTORABLE HOUSEHOLD",
            "ids": [],
            "kind": self.group_kind.name,
            "is_partial_group": False,
            "members": [{"individual": member, "kind": None}],
        }
        number = "DE89\x003704004405320130"
        update = update_body("NO-SUCH-ID", bank_ids=[bank_item("Fine Bank", number)])
        with self.client(individual_router) as client:
            answers = {
                ("body", "name"): client.post("/individual", json=individual),
                ("body", 0, "bank_ids", 0, "acc_number"): client.put(
                    "/update_individual", params={"id_type": ID_TYPE}, json=[update]
                ),
            }
        with self.client(group_router) as client:
            # Sent as JSON escapes (\\ud800), as clients do: the text itself cannot be encoded.
            answers[("body", "members", 0, "individual", "birth_place")] = client.post(
                "/group", content=json.dumps(group), headers={"Content-Type": "application/json"}
            )
        for location, response in answers.items():
            with self.subTest(location=location):
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
                (error,) = response.json()["detail"]
                self.assertEqual((tuple(error["loc"]), error["type"]), (location, "string_unicode"))
                self.assertNotIn("3704004405320130", response.text)
        self.assertFalse(
            self.env["res.partner"].search([("name", "in", ["DOE, MEMBER", "UNSTORABLE HOUSEHOLD"])])
        )
        self.assertFalse(self.banks_named("Fine Bank"))

    def test_registration_dates_must_exist(self):
        for value in ("2024-02-30", "30/01/2024", "2024-1-2x"):
            with self.subTest(registration_date=value):
                response = self.post_individual(individual_body("DATE, BAD", registration_date=value))
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
                (error,) = response.json()["detail"]
                self.assertEqual(error["loc"], ["body", "registration_date"])
        response = self.post_individual(individual_body("DATE, GOOD", registration_date="2024-02-29"))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        self.assertEqual(response.json()["registration_date"], "2024-02-29")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "DATE, BAD")]))

    def test_errors_about_whole_items_or_bodies_mask_account_numbers(self):
        whole_item = individual_body("MASK, ITEM", bank_ids=[{"acc_number": VALID_IBAN}, VALID_IBAN_COMPACT])
        whole_body = individual_body("MASK, BODY", bank_ids=[bank_item("Mask Bank", VALID_IBAN)])
        del whole_body["given_name"]
        group_body = {
            "name": "MASK GROUP",
            "ids": [],
            "members": [{"name": "MASK, MEMBER", "bank_ids": [bank_item("Mask Bank", VALID_IBAN)]}],
        }
        for label, router, path, body in (
            ("item", individual_router, "/individual", whole_item),
            ("body", individual_router, "/individual", whole_body),
            ("group", group_router, "/group", group_body),
        ):
            with self.subTest(label), self.client(router) as client:
                response = client.post(path, json=body)
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
                self.assert_no_full_number(response, VALID_IBAN)
                self.assertIn("\u2026", response.text)  # the masked number is there

    def test_update_validates_items_too(self):
        self.create_individual("ROE, STRICT", "U-5")
        response = self.update(update_body("U-5", bank_ids=[bank_item("Strict Bank", BAD_CHECKSUM_IBAN)]))
        self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", 0, "bank_ids", 0, "acc_number"])
        self.assert_no_full_number(response, BAD_CHECKSUM_IBAN)
