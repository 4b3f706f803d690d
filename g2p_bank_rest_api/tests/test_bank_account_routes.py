"""The account sub-resource: /registrant/{id}/bank_accounts."""

from fastapi import status

from ..routers import bank_account_router
from .common import BAD_CHECKSUM_IBAN, VALID_IBAN, VALID_IBAN_COMPACT, BankApiCase, bank_item


class TestBankAccountRoutes(BankApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registrant = cls.env["res.partner"].create(
            {"name": "ACCOUNT, HOLDER", "is_registrant": True, "is_group": False}
        )
        cls.group = cls.env["res.partner"].create(
            {"name": "ACCOUNT GROUP", "is_registrant": True, "is_group": True}
        )
        cls.not_a_registrant = cls.env["res.partner"].create({"name": "Some company"})

    def url(self, registrant_id, account_id=None):
        url = f"/registrant/{registrant_id}/bank_accounts"
        return f"{url}/{account_id}" if account_id else url

    def request(self, method, url, **kwargs):
        with self.client(bank_account_router) as client:
            return client.request(method, url, **kwargs)

    def add(self, item, registrant=None):
        return self.request("POST", self.url((registrant or self.registrant).id), json=item)

    def test_unknown_registrant_is_404_on_every_route(self):
        for registrant_id in (999999, self.not_a_registrant.id):
            for method, url, body in (
                ("GET", self.url(registrant_id), None),
                ("POST", self.url(registrant_id), bank_item("Any Bank", "1")),
                ("PUT", self.url(registrant_id), [bank_item("Any Bank", "1")]),
                ("DELETE", self.url(registrant_id, 1), None),
            ):
                with self.subTest(method=method, registrant_id=registrant_id):
                    response = self.request(method, url, json=body)
                    self.assertEqual(response.status_code, status.HTTP_404_NOT_FOUND, response.text)
                    self.assertIn(str(registrant_id), response.json()["detail"])

    def test_ids_that_cannot_exist_are_422(self):
        for url in (self.url(2**31), self.url(0), self.url(-5), self.url(self.registrant.id, 2**63)):
            with self.subTest(url=url):
                response = self.request("DELETE" if url.count("/") > 3 else "GET", url)
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)

    def test_post_creates_then_updates_the_same_account(self):
        created = self.add(bank_item("Post Bank", VALID_IBAN))
        self.assertEqual(created.status_code, status.HTTP_201_CREATED, created.text)
        self.assertTrue(created.json()["primary"])
        again = self.add(bank_item("Other Post Bank", VALID_IBAN_COMPACT.lower(), acc_holder_name="Holder"))
        self.assertEqual(again.status_code, status.HTTP_200_OK, again.text)
        self.assertEqual(again.json()["id"], created.json()["id"])
        self.assertEqual(again.json()["bank_name"], "Other Post Bank")
        self.assertEqual(again.json()["acc_holder_name"], "Holder")
        self.assertEqual(len(self.accounts_of(self.registrant)), 1)

    def test_null_holder_name_is_kept_by_merges_and_cleared_by_put(self):
        # CONTRACT.md section 2: inside a merged item, absent or null keeps the stored value;
        # PUT states the whole list and stores exactly what it is sent.
        created = self.add(bank_item("Holder Bank", "HOLD-1", acc_holder_name="A. Holder"))
        self.assertEqual(created.status_code, status.HTTP_201_CREATED, created.text)
        for item in (
            bank_item("Holder Bank", "HOLD-1"),
            bank_item("Holder Bank", "HOLD-1", acc_holder_name=None),
        ):
            with self.subTest(item=item):
                merged = self.add(item)
                self.assertEqual(merged.status_code, status.HTTP_200_OK, merged.text)
                self.assertEqual(merged.json()["acc_holder_name"], "A. Holder")
        replaced = self.request(
            "PUT",
            self.url(self.registrant.id),
            json=[bank_item("Holder Bank", "HOLD-1", acc_holder_name=None)],
        )
        self.assertEqual(replaced.status_code, status.HTTP_200_OK, replaced.text)
        self.assertIsNone(replaced.json()[0]["acc_holder_name"])
        self.assertFalse(self.accounts_of(self.registrant).filtered("active").acc_holder_name)

    def test_post_primary_puts_the_account_first(self):
        self.add(bank_item("Primary Bank", "P-1"))
        self.add(bank_item("Primary Bank", "P-2"))
        response = self.add(bank_item("Primary Bank", "P-3", primary=True))
        self.assertEqual(response.status_code, status.HTTP_201_CREATED, response.text)
        self.assertTrue(response.json()["primary"])
        listed = self.request("GET", self.url(self.registrant.id)).json()
        self.assertEqual([a["acc_number"] for a in listed], ["P-3", "P-1", "P-2"])
        self.assertEqual([a["primary"] for a in listed], [True, False, False])

    def test_post_invalid_item_is_422(self):
        response = self.add(bank_item("Bad Bank", BAD_CHECKSUM_IBAN))
        self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "acc_number"])
        self.assert_no_full_number(response, BAD_CHECKSUM_IBAN)
        self.assertFalse(self.accounts_of(self.registrant))

    def test_errors_about_whole_items_mask_account_numbers(self):
        responses = [
            self.add({"acc_number": VALID_IBAN}),
            self.request(
                "PUT",
                self.url(self.registrant.id),
                json=[bank_item("B", f"{n}-{VALID_IBAN}") for n in range(101)],
            ),
            self.request("PUT", self.url(self.registrant.id), json=VALID_IBAN),
        ]
        for response in responses:
            self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
            self.assert_no_full_number(response, VALID_IBAN)

    def test_put_makes_the_list_exactly_this_and_archives_the_rest(self):
        kept = self.add(bank_item("Put Bank", "K-1")).json()
        dropped = self.add(bank_item("Put Bank", "D-1")).json()
        response = self.request(
            "PUT",
            self.url(self.registrant.id),
            json=[bank_item("put bank", "k 1"), bank_item("New Put Bank", "N-1", primary=True)],
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        answer = response.json()
        # The kept account keeps its number as first stored (its identity is the normalized one).
        self.assertEqual([a["acc_number"] for a in answer], ["N-1", "K-1"])
        self.assertEqual(answer[1]["id"], kept["id"])
        archived = self.env["res.partner.bank"].with_context(active_test=False).browse(dropped["id"])
        self.assertTrue(archived.exists())
        self.assertFalse(archived.active)
        again = self.request("PUT", self.url(self.registrant.id), json=[bank_item("Put Bank", "D-1")])
        self.assertEqual([a["id"] for a in again.json()], [dropped["id"]])
        self.assertEqual(len(self.accounts_of(self.registrant)), 3)

    def test_put_rejects_duplicate_numbers(self):
        response = self.request(
            "PUT",
            self.url(self.registrant.id),
            json=[bank_item("Dup Bank", "1-2"), bank_item("Dup Bank", "12")],
        )
        self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", 1, "acc_number"])

    def test_delete_archives_and_is_404_for_unknown_accounts(self):
        first = self.add(bank_item("Delete Bank", "X-1")).json()
        second = self.add(bank_item("Delete Bank", "X-2")).json()
        other = self.add(bank_item("Delete Bank", "X-3"), registrant=self.group).json()
        response = self.request("DELETE", self.url(self.registrant.id, first["id"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertEqual(response.content, b"")
        listed = self.request("GET", self.url(self.registrant.id)).json()
        self.assertEqual([(a["id"], a["primary"]) for a in listed], [(second["id"], True)])
        for account_id in (first["id"], other["id"], 999999):
            with self.subTest(account_id=account_id):
                response = self.request("DELETE", self.url(self.registrant.id, account_id))
                self.assertEqual(response.status_code, status.HTTP_404_NOT_FOUND)
        self.assertTrue(
            self.env["res.partner.bank"].with_context(active_test=False).browse(first["id"]).exists()
        )

    def test_groups_have_accounts_too(self):
        response = self.add(bank_item("Group Bank", "GR-1"), registrant=self.group)
        self.assertEqual(response.status_code, status.HTTP_201_CREATED, response.text)
        listed = self.request("GET", self.url(self.group.id)).json()
        self.assertEqual([a["acc_number"] for a in listed], ["GR-1"])
