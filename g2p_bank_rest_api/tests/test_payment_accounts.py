"""GET /payment_accounts: every registrant that holds or held an account, once, in id order, with
its IDs and primary account; keyset pages that stay right while registrants are added."""

import base64
import json
from datetime import datetime, timedelta

from fastapi import status

from ..routers import payment_accounts_router
from .common import ID_TYPE, BankApiCase

PATH = "/payment_accounts"


class TestPaymentAccounts(BankApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["res.bank"].create({"name": "Payment Test Bank", "bic": "PAYTDEFF"})
        # Registrants of earlier tests or of the database must not disturb the counts here:
        # the listing is read from the ids of this test's registrants on.
        cls.first_id = cls.env["res.partner"].create({"name": "PAYMENT, FIRST"}).id

    def registrant(self, name, accounts=(), is_group=False, id_value=None):
        values = {"name": name, "is_registrant": True, "is_group": is_group}
        if id_value:
            values["reg_ids"] = [(0, 0, {"id_type": self.id_type.id, "value": id_value})]
        partner = self.env["res.partner"].create(values)
        for number, sequence in accounts:
            self.env["res.partner.bank"].create(
                {
                    "partner_id": partner.id,
                    "acc_number": number,
                    "bank_id": self.bank.id,
                    "sequence": sequence,
                }
            )
        return partner

    def get(self, **params):
        with self.client(payment_accounts_router) as client:
            return client.get(PATH, params=params)

    def all_pages(self, limit, **params):
        items, cursor, pages = [], None, 0
        while True:
            query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
            response = self.get(**query)
            self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
            body = response.json()
            self.assertLessEqual(len(body["items"]), limit)
            items += body["items"]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                return [item for item in items if item["registrant_id"] > self.first_id], pages

    def test_every_account_holder_once_with_its_primary_account(self):
        holders = [
            self.registrant(f"PAYMENT, P{n}", [(f"PAY-{n}-A", 10)], id_value=f"PAY-{n}") for n in range(5)
        ]
        self.registrant("PAYMENT, NO ACCOUNT", id_value="PAY-NONE")
        group = self.registrant("PAYMENT GROUP", [("PAY-G", 10)], is_group=True)
        self.env["res.partner"].create(
            {"name": "Not a registrant", "bank_ids": [(0, 0, {"acc_number": "PAY-X"})]}
        )
        listed, pages = self.all_pages(limit=2)
        self.assertEqual([item["registrant_id"] for item in listed], [*(p.id for p in holders), group.id])
        self.assertGreaterEqual(pages, 3)
        first = listed[0]
        account = self.env["res.partner.bank"].search([("acc_number", "=", "PAY-0-A")])
        self.assertEqual(
            first,
            {
                "registrant_id": holders[0].id,
                "name": "PAYMENT, P0",
                "is_group": False,
                "ids": [{"id_type": ID_TYPE, "value": "PAY-0"}],
                "account": {
                    "id": account.id,
                    "bank_name": "Payment Test Bank",
                    "bic": "PAYTDEFF",
                    "acc_number": "PAY-0-A",
                    "acc_holder_name": account.acc_holder_name or None,
                },
            },
        )
        self.assertTrue(listed[-1]["is_group"])
        self.assertEqual(listed[-1]["ids"], [])

    def test_primary_account_is_the_first_active_in_sequence_then_id_order(self):
        person = self.registrant("PAYMENT, PRIMARY", [("PAY-LATE", 10), ("PAY-FIRST", 5), ("PAY-TIE", 5)])
        [item], _pages = self.all_pages(limit=100)
        self.assertEqual(item["account"]["acc_number"], "PAY-FIRST")
        self.env["res.partner.bank"].search([("acc_number", "=", "PAY-FIRST")]).active = False
        [item], _pages = self.all_pages(limit=100)
        self.assertEqual(item["account"]["acc_number"], "PAY-TIE")
        # Every account archived: still listed, without an account.
        self.env["res.partner.bank"].search([("partner_id", "=", person.id)]).write({"active": False})
        [item], _pages = self.all_pages(limit=100)
        self.assertEqual((item["registrant_id"], item["account"]), (person.id, None))
        person.active = False
        self.assertEqual(self.all_pages(limit=100)[0], [])

    def test_updated_since_lists_what_changed_since(self):
        old = self.registrant("PAYMENT, OLD", [("PAY-OLD", 10)])
        touched = self.registrant("PAYMENT, TOUCHED", [("PAY-T", 10)])
        renamed = self.registrant("PAYMENT, RENAMED", [("PAY-R", 10)])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = '2020-01-01' WHERE id = ANY(%s)",
            [[old.id, touched.id, renamed.id]],
        )
        self.env.cr.execute(
            "UPDATE res_partner_bank SET write_date = '2020-01-01' WHERE partner_id = ANY(%s)",
            [[old.id, touched.id, renamed.id]],
        )
        self.env.cr.execute(
            "UPDATE res_partner_bank SET write_date = '2024-06-01' WHERE acc_number = 'PAY-T'"
        )
        self.env.cr.execute("UPDATE res_partner SET write_date = '2024-06-01' WHERE id = %s", [renamed.id])
        self.env.invalidate_all()
        listed, _pages = self.all_pages(limit=1, updated_since="2024-01-01T00:00:00Z")
        self.assertEqual([item["registrant_id"] for item in listed], [touched.id, renamed.id])
        # With an offset, the moment is converted to UTC; at the moment itself counts.
        listed, _pages = self.all_pages(limit=10, updated_since="2024-06-01T02:00:00+02:00")
        self.assertEqual([item["registrant_id"] for item in listed], [touched.id, renamed.id])
        listed, _pages = self.all_pages(limit=10, updated_since="2024-06-01T00:00:01")
        self.assertEqual(listed, [])

    def test_cursor_carries_updated_since_and_is_the_standalone_format(self):
        for n in range(3):
            self.registrant(f"PAYMENT, C{n}", [(f"PAY-C{n}", 10)])
        since = "2000-01-01T00:00:00Z"
        first = self.get(limit=1, updated_since=since).json()
        cursor = first["next_cursor"]
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        self.assertEqual(
            decoded, {"after": first["items"][0]["registrant_id"], "updated_since": "2000-01-01T00:00:00"}
        )
        # Later pages may repeat updated_since or leave it out; another value is refused.
        self.assertEqual(
            self.get(limit=1, cursor=cursor, updated_since=since).status_code, status.HTTP_200_OK
        )
        self.assertEqual(self.get(limit=1, cursor=cursor).status_code, status.HTTP_200_OK)
        other = self.get(limit=1, cursor=cursor, updated_since="2001-01-01T00:00:00Z")
        self.assertEqual(other.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, other.text)
        self.assertEqual(other.json()["detail"][0]["loc"], ["query", "updated_since"])

    def test_pages_stay_right_while_registrants_are_added(self):
        existing = [self.registrant(f"PAYMENT, E{n}", [(f"PAY-E{n}", 10)]).id for n in range(6)]
        seen, cursor, added = [], None, []
        while True:
            body = self.get(limit=2, **({"cursor": cursor} if cursor else {})).json()
            seen += [item["registrant_id"] for item in body["items"] if item["registrant_id"] > self.first_id]
            cursor = body["next_cursor"]
            if cursor is None:
                break
            if len(added) < 4:
                added.append(self.registrant(f"PAYMENT, NEW{len(added)}", [(f"PAY-N{len(added)}", 10)]).id)
        self.assertEqual(seen, sorted(set(seen)))
        self.assertEqual(seen, existing + added)

    def test_bad_paging_parameters_are_422(self):
        for params, loc in (
            ({"cursor": "not-a-cursor"}, ["query", "cursor"]),
            ({"cursor": base64.urlsafe_b64encode(b'{"after": -1}').decode()}, ["query", "cursor"]),
            ({"limit": 0}, ["query", "limit"]),
            ({"limit": 1001}, ["query", "limit"]),
            ({"updated_since": "yesterday"}, ["query", "updated_since"]),
        ):
            with self.subTest(params=params):
                response = self.get(**params)
                self.assertEqual(response.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, response.text)
                self.assertEqual(response.json()["detail"][0]["loc"], loc)

    def test_default_page_size_is_100(self):
        now = datetime.now()
        for n in range(101):
            self.registrant(f"PAYMENT, D{n}", [(f"PAY-D{n}", 10)])
        body = self.get(updated_since=(now - timedelta(minutes=1)).isoformat()).json()
        self.assertEqual(len(body["items"]), 100)
        self.assertIsNotNone(body["next_cursor"])
