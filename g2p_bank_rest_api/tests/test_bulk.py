"""POST /bulk/individual: per-item results, rejected items write nothing, re-runs change nothing."""

import json
from unittest import mock

from fastapi import status

from ..models import bulk_onboarding
from ..routers import bulk_router
from .common import BAD_CHECKSUM_IBAN, ID_TYPE, VALID_IBAN, BankApiCase, bank_item, individual_body

PASSPORT = "Bank API Test Passport"


def item(n, **extra):
    """Individual ``n`` of a test: its own ID value, a phone and one account."""
    body = individual_body(
        f"BULK, PERSON {n}",
        f"BULK-{n:04d}",
        family_name="BULK",
        gender="bulk-f",
        birthdate="1990-01-02",
        phone_numbers=[{"phone_no": f"+254 700 {n:06d}"}],
        bank_ids=[bank_item("Bulk Test Bank", f"BULK-ACC-{n:04d}", primary=True)],
    )
    body.update(extra)
    return body


class TestBulkIndividuals(BankApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.passport = cls.env["g2p.id.type"].create({"name": PASSPORT})
        cls.env["gender.type"].create({"code": "bulk-f", "value": "Bulk Female"})

    def post(self, items, id_type=ID_TYPE):
        params = {"id_type": id_type} if id_type is not None else {}
        with self.client(bulk_router) as client:
            # Encoded with ASCII escapes, as JSON allows: a lone surrogate then travels as \ud800.
            body = json.dumps(items)
            headers = {"Content-Type": "application/json"}
            return client.post("/bulk/individual", params=params, content=body, headers=headers)

    def results(self, items):
        response = self.post(items)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.text)
        answer = response.json()
        self.assertEqual([result["index"] for result in answer], list(range(len(items))))
        return answer

    def statuses(self, answer):
        return [result["status"] for result in answer]

    def counts(self):
        env = self.env
        env.flush_all()
        return {
            model: env[model].with_context(active_test=False).search_count([])
            for model in ("res.partner", "g2p.reg.id", "g2p.phone.number", "res.bank", "res.partner.bank")
        }

    def test_new_items_are_created_with_ids_phones_and_accounts(self):
        answer = self.results([item(1), item(2)])
        self.assertEqual(self.statuses(answer), ["created", "created"])
        self.assertTrue(all(result["errors"] == [] for result in answer))
        person = self.env["res.partner"].browse(answer[0]["id"])
        self.assertTrue(person.is_registrant)
        self.assertFalse(person.is_group)
        self.assertEqual(
            (person.name, person.family_name, person.gender), ("BULK, PERSON 1", "BULK", "Bulk Female")
        )
        self.assertEqual(str(person.birthdate), "1990-01-02")
        self.assertEqual(person.reg_ids.mapped("value"), ["BULK-0001"])
        self.assertEqual(person.phone_number_ids.mapped("phone_no"), ["+254 700 000001"])
        self.assertEqual(self.accounts_of(person).mapped("acc_number"), ["BULK-ACC-0001"])
        # One bank for both items.
        self.assertEqual(len(self.banks_named("Bulk Test Bank")), 1)

    def test_same_request_twice_answers_unchanged_and_writes_nothing(self):
        items = [item(1), item(2, bank_ids=[bank_item("Bulk Test Bank", VALID_IBAN)])]
        first = self.results(items)
        self.assertEqual(self.statuses(first), ["created", "created"])
        people = self.env["res.partner"].browse([result["id"] for result in first])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = '2001-01-01' WHERE id = ANY(%s)", [people.ids]
        )
        self.env.cr.execute(
            "UPDATE res_partner_bank SET write_date = '2001-01-01' WHERE partner_id = ANY(%s)", [people.ids]
        )
        self.env.invalidate_all()
        counts = self.counts()
        again = self.results(items)
        self.assertEqual(self.statuses(again), ["unchanged", "unchanged"])
        self.assertEqual([result["id"] for result in again], people.ids)
        self.assertEqual(self.counts(), counts)
        self.env.invalidate_all()
        self.assertEqual({str(date) for date in people.mapped("write_date")}, {"2001-01-01 00:00:00"})
        accounts = self.env["res.partner.bank"].search([("partner_id", "in", people.ids)])
        self.assertEqual({str(date) for date in accounts.mapped("write_date")}, {"2001-01-01 00:00:00"})

    def test_known_id_updates_the_individual_with_merge_semantics(self):
        [created] = self.results([item(1)])
        person = self.env["res.partner"].browse(created["id"])
        update = item(
            1,
            email="new@example.org",
            family_name=None,  # null keeps the stored value
            phone_numbers=[{"phone_no": "+254700000001"}, {"phone_no": "+254 711 111111"}],
            ids=[{"id_type": ID_TYPE, "value": "BULK-0001"}, {"id_type": PASSPORT, "value": "P-1"}],
            bank_ids=[
                bank_item("Bulk Test Bank", "bulk acc 0001", acc_holder_name="P. Bulk"),
                bank_item("Second Bulk Bank", "BULK-NEW-1", primary=True),
            ],
        )
        [result] = self.results([update])
        self.assertEqual((result["status"], result["id"]), ("updated", person.id))
        self.assertEqual((person.email, person.family_name), ("new@example.org", "BULK"))
        self.assertEqual(sorted(person.reg_ids.mapped("value")), ["BULK-0001", "P-1"])
        # The same number (digits compared) is not added twice.
        self.assertEqual(len(person.phone_number_ids), 2)
        accounts = self.accounts_of(person)
        self.assertEqual(accounts.mapped("acc_number"), ["BULK-NEW-1", "BULK-ACC-0001"])
        self.assertEqual(accounts[1].acc_holder_name, "P. Bulk")
        self.assertEqual(self.statuses(self.results([update])), ["unchanged"])

    def test_a_change_of_one_field_is_an_update(self):
        [created] = self.results([item(1)])
        [result] = self.results([item(1, birth_place="Nairobi")])
        self.assertEqual((result["status"], result["id"]), ("updated", created["id"]))
        [result] = self.results(
            [item(1, bank_ids=[bank_item("Bulk Test Bank", "BULK-ACC-0001", bic="DEUTDEFF")])]
        )
        self.assertEqual(result["status"], "updated")

    def test_bad_items_are_rejected_alone_and_write_nothing(self):
        self.results(
            [
                item(
                    90,
                    ids=[{"id_type": ID_TYPE, "value": "BULK-0090"}, {"id_type": PASSPORT, "value": "P-90"}],
                )
            ]
        )
        group = self.env["res.partner"].create(
            {
                "name": "BULK GROUP",
                "is_registrant": True,
                "is_group": True,
                "reg_ids": [(0, 0, {"id_type": self.id_type.id, "value": "GROUP-1"})],
            }
        )
        before = self.counts()
        items = [
            item(1),
            item(2, bank_ids=[bank_item("Bad Bank", "1"), bank_item("Bad Bank", BAD_CHECKSUM_IBAN)]),
            item(3, ids=[{"id_type": PASSPORT, "value": "P-3"}]),
            item(4, gender="robot"),
            "not an object",
            item(1),
            item(5, ids=[{"id_type": ID_TYPE, "value": "BULK-0005"}, {"id_type": PASSPORT, "value": "P-90"}]),
            item(
                6, ids=[{"id_type": "No such type", "value": "1"}, {"id_type": ID_TYPE, "value": "BULK-0006"}]
            ),
            item(7, given_name=None),
            item(8, ids=[{"id_type": ID_TYPE, "value": "BULK-0008"}, {"id_type": ID_TYPE, "value": "other"}]),
            item(9, ids=[{"id_type": ID_TYPE, "value": "GROUP-1"}]),
            item(10, phone_numbers=[{"phone_no": "no digits"}]),
            item(11, ids=[{"id_type": ID_TYPE, "value": "X" * 101}]),
            item(12, address="nul\x00byte"),
            item(13, ids=[{"id_type": ID_TYPE, "value": "lone \ud800 surrogate"}]),
        ]
        answer = self.results(items)
        self.assertEqual(self.statuses(answer), ["created"] + ["rejected"] * 14)
        locations = [[tuple(error["loc"]) for error in result["errors"]] for result in answer]
        kinds = [[error["type"] for error in result["errors"]] for result in answer]
        self.assertEqual(locations[1], [("bank_ids", 1, "acc_number")])
        self.assertEqual(kinds[1], ["account_number"])
        self.assertEqual((locations[2], kinds[2]), ([("ids",)], ["missing_match_id"]))
        self.assertEqual((locations[3], kinds[3]), ([("gender",)], ["unknown_gender"]))
        self.assertEqual((locations[4], kinds[4]), ([()], ["model_type"]))
        self.assertEqual((locations[5], kinds[5]), ([("ids", 0, "value")], ["duplicate_item"]))
        self.assertEqual((locations[6], kinds[6]), ([("ids", 1, "value")], ["id_assigned"]))
        self.assertEqual((locations[7], kinds[7]), ([("ids", 0, "id_type")], ["unknown_id_type"]))
        self.assertEqual((locations[8], kinds[8]), ([("given_name",)], ["string_type"]))
        self.assertEqual((locations[9], kinds[9]), ([("ids", 1, "id_type")], ["duplicate_id_type"]))
        self.assertEqual((locations[10], kinds[10]), ([("ids", 0, "value")], ["id_assigned"]))
        self.assertEqual((locations[11], kinds[11]), ([("phone_numbers", 0, "phone_no")], ["phone_number"]))
        self.assertEqual((locations[12], kinds[12]), ([("ids", 0, "value")], ["string_too_long"]))
        self.assertEqual((locations[13], kinds[13]), ([("address",)], ["string_unicode"]))
        self.assertEqual((locations[14], kinds[14]), ([("ids", 0, "value")], ["string_unicode"]))
        self.assertTrue(all(result["id"] is None for result in answer[1:]))
        # Only the accepted item was written: one individual, its ID, phone and account.
        after = self.counts()
        self.assertEqual(after["res.partner"], before["res.partner"] + 1)
        self.assertEqual(after["g2p.reg.id"], before["g2p.reg.id"] + 1)
        self.assertEqual(after["res.partner.bank"], before["res.partner.bank"] + 1)
        self.assertFalse(self.banks_named("Bad Bank"))
        self.assertNotIn(BAD_CHECKSUM_IBAN, str(answer))
        self.assertTrue(group.exists())

    def test_unknown_id_type_is_400_and_writes_nothing(self):
        before = self.counts()
        response = self.post([item(1)], id_type="Unknown type")
        self.assertEqual(response.status_code, status.HTTP_400_BAD_REQUEST, response.text)
        self.assertEqual(
            response.json()["detail"],
            "Invalid ID field. ID type - Unknown type is not present in the database.",
        )
        self.assertEqual(self.counts(), before)

    def test_request_shape_errors_are_422(self):
        too_many = self.post([item(0)] * 1001)
        self.assertEqual(too_many.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY, too_many.text)
        self.assertEqual(too_many.json()["detail"][0]["loc"], ["body"])
        not_a_list = self.post({"name": "x"})
        self.assertEqual(not_a_list.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY)
        self.assertEqual(not_a_list.json()["detail"][0]["loc"], ["body"])
        no_id_type = self.post([item(1)], id_type=None)
        self.assertEqual(no_id_type.status_code, status.HTTP_422_UNPROCESSABLE_ENTITY)
        self.assertEqual(no_id_type.json()["detail"][0]["loc"], ["query", "id_type"])

    def test_empty_request_and_matching_by_another_id_type(self):
        self.assertEqual(self.results([]), [])
        by_passport = [item(1, ids=[{"id_type": PASSPORT, "value": "PP-1"}])]
        self.assertEqual(self.statuses(self.post(by_passport, id_type=PASSPORT).json()), ["created"])
        self.assertEqual(self.statuses(self.post(by_passport, id_type=PASSPORT).json()), ["unchanged"])

    def test_archived_accounts_are_reactivated_not_duplicated(self):
        [created] = self.results([item(1)])
        person = self.env["res.partner"].browse(created["id"])
        self.accounts_of(person).write({"active": False})
        [result] = self.results([item(1)])
        self.assertEqual(result["status"], "updated")
        accounts = self.accounts_of(person)
        self.assertEqual(len(accounts), 1)
        self.assertTrue(accounts.active)

    def test_an_item_the_database_refuses_is_rejected_alone(self):
        # Past every check, storing one item fails: the batch is stored again item by item.
        new_individual_values = bulk_onboarding.new_individual_values

        def values_refused_for_item_2(request, *args):
            values = new_individual_values(request, *args)
            if request.name.endswith(" 2"):
                values["gender"] = "not a gender of the registry"
            return values

        before = self.counts()
        with mock.patch.object(bulk_onboarding, "new_individual_values", values_refused_for_item_2):
            answer = self.results([item(1), item(2), item(3)])
        self.assertEqual(self.statuses(answer), ["created", "rejected", "created"])
        self.assertEqual([error["type"] for error in answer[1]["errors"]], ["not_stored"])
        after = self.counts()
        self.assertEqual(after["res.partner"], before["res.partner"] + 2)
        self.assertEqual(after["res.partner.bank"], before["res.partner.bank"] + 2)
        self.assertFalse(self.env["g2p.reg.id"].search([("value", "=", "BULK-0002")]))

    def test_an_archived_individual_keeps_its_id(self):
        [created] = self.results([item(1)])
        self.env["res.partner"].browse(created["id"]).active = False
        before = self.counts()
        [result] = self.results([item(1)])
        self.assertEqual(result["status"], "rejected")
        self.assertEqual(
            [(e["loc"], e["type"]) for e in result["errors"]], [(["ids", 0, "value"], "id_assigned")]
        )
        self.assertEqual(self.counts(), before)
