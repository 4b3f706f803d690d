"""Finding and creating banks: matching rules, query count, and concurrent creation."""

import logging

import psycopg2

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from ..rules import BankDetailsRequest
from .common import VALID_IBAN, VALID_IBAN_COMPACT

SERVICE_LOGGER = "odoo.addons.g2p_bank_rest_api.models.bank_account_service"


def item(bank_name, acc_number="1", **extra):
    return BankDetailsRequest(bank_name=bank_name, acc_number=acc_number, **extra)


@tagged("post_install", "-at_install")
class TestBankLookup(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["g2p.bank.account.service"]
        cls.Bank = cls.env["res.bank"]
        cls.registrant = cls.env["res.partner"].create({"name": "LOOKUP, TEST", "is_registrant": True})

    def find_or_create(self, *items):
        banks = self.service._find_or_create_banks(items)
        return [banks[i.bank_key] for i in items]

    def count_queries(self, items):
        self.env.flush_all()
        before = self.cr.sql_log_count
        self.service._find_or_create_banks(items)
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_name_matches_ignoring_case_and_spaces(self):
        known = self.Bank.create({"name": "First  National Bank"})
        found = self.find_or_create(item(" first national   BANK "), item("FIRST NATIONAL BANK"))
        self.assertEqual(found, [known, known])

    def test_new_bank_gets_the_trimmed_name(self):
        (bank,) = self.find_or_create(item("  Brand New Lookup Bank  "))
        self.assertEqual(bank.name, "Brand New Lookup Bank")
        self.assertFalse(bank.bic)

    def test_bic_decides_when_given(self):
        by_name = self.Bank.create({"name": "Bic Test Bank"})
        by_bic = self.Bank.create({"name": "Elsewhere", "bic": "deut deff 500"})
        found = self.find_or_create(item("Bic Test Bank", bic="DEUTDEFF500"), item("Bic Test Bank"))
        self.assertEqual(found, [by_bic, by_name])
        (created,) = self.find_or_create(item("Bic Test Bank", bic="COBADEFF"))
        self.assertNotIn(created, by_name + by_bic)
        self.assertEqual((created.name, created.bic), ("Bic Test Bank", "COBADEFF"))

    def test_a_new_bank_with_a_bic_serves_items_naming_it_without_one(self):
        with_bic, by_name = self.find_or_create(
            item("Same Request Bank", bic="DEUTDEFF"), item(" same request  BANK ")
        )
        self.assertEqual(with_bic, by_name)
        self.assertEqual((with_bic.name, with_bic.bic), ("Same Request Bank", "DEUTDEFF"))

    def test_existing_duplicates_are_tolerated(self):
        # Databases may already hold the same bank twice: the oldest one is used.
        first = self.Bank.create({"name": "Twice Bank"})
        self.Bank.create({"name": "twice  bank"})
        self.assertEqual(self.find_or_create(item("TWICE BANK")), [first])

    def test_archived_banks_are_not_used(self):
        archived = self.Bank.create({"name": "Closed Bank", "active": False})
        (bank,) = self.find_or_create(item("Closed Bank"))
        self.assertNotEqual(bank, archived)

    def test_query_count_does_not_grow_with_items(self):
        names = [f"Counted Bank {n}" for n in range(25)]
        self.Bank.create([{"name": name} for name in names])
        known_one = self.count_queries([item(names[0])])
        known_all = self.count_queries([item(name, str(n)) for n, name in enumerate(names)])
        self.assertEqual(known_one, known_all)
        self.assertLessEqual(known_all, 2)
        new_one = self.count_queries([item("Uncounted Bank")])
        new_all = self.count_queries([item(f"Uncounted Bank {n}", str(n)) for n in range(25)])
        self.assertEqual(new_one, new_all)

    def test_bank_committed_by_a_concurrent_request_makes_odoo_retry(self):
        # Another worker commits the bank after this transaction's snapshot was taken: this
        # transaction cannot see it, so it must not create a second one but ask for a retry.
        name = "Concurrently Created Bank"
        with self.registry.cursor() as other_cr:
            other_cr.execute("INSERT INTO res_bank (name, active) VALUES (%s, true) RETURNING id", [name])
            (bank_id,) = other_cr.fetchone()
        self.addCleanup(self._delete_committed_bank, bank_id)
        with (
            self.assertRaises(psycopg2.errors.SerializationFailure) as caught,
            self.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.find_or_create(item(name))
            # The failure waits for the commit, after the route has answered (see bank_lookup).
            self.cr.flush()
        self.assertEqual(caught.exception.pgcode, "40001")
        self.assertFalse(self.Bank.search([("name", "=", name)]))

    def _delete_committed_bank(self, bank_id):
        with self.registry.cursor() as other_cr:
            other_cr.execute("DELETE FROM res_bank WHERE id = %s", [bank_id])

    def test_items_from_python_callers_are_validated(self):
        with self.assertRaises(ValidationError) as caught:
            self.service.merge_items(self.registrant, [{"bank_name": "Py Bank", "acc_number": "DE00 1234"}])
        self.assertNotIn("DE001234", str(caught.exception))
        self.service.merge_items(self.registrant, [{"bank_name": "Py Bank", "acc_number": VALID_IBAN}])
        self.assertEqual(self.registrant.bank_ids.sanitized_acc_number, VALID_IBAN_COMPACT)

    def test_logs_show_at_most_the_last_four_characters(self):
        with self.assertLogs(SERVICE_LOGGER, level=logging.INFO) as logs:
            self.service.merge_items(self.registrant, [item("Log Bank", VALID_IBAN)])
            self.service.merge_items(self.registrant, [item("Log Bank", VALID_IBAN)])
            self.service.merge_items(self.registrant, [], replace=True)
        output = "\n".join(logs.output)
        self.assertIn("3000", output)
        self.assertNotIn(VALID_IBAN_COMPACT[:-4], output)
        self.assertNotIn(VALID_IBAN[:-4], output)

    def test_write_only_field_merges_on_write(self):
        self.registrant.write({"bank_account_items": [{"bank_name": "Field Bank", "acc_number": "F-1"}]})
        self.registrant.write({"bank_account_items": [{"bank_name": "Field Bank", "acc_number": "f1"}]})
        self.assertEqual(self.registrant.bank_ids.mapped("acc_number"), ["F-1"])
