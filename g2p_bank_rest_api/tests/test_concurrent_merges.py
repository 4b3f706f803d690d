"""Two requests merging into one registrant: the later one runs again instead of failing.

Each test commits a registrant through its own cursor (cleaned up afterwards), then plays two
transactions as two workers would: the slow one takes its snapshot, the fast one merges and
commits, then the slow one merges the same account.
"""

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from ..rules import BankDetailsRequest

ITEM = {"bank_name": "Concurrent Merge Bank", "acc_number": "CM-1"}


@tagged("post_install", "-at_install")
class TestConcurrentMerges(TransactionCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.registrant_id = env["res.partner"].create({"name": "RACE, TEST", "is_registrant": True}).id
        self.addCleanup(self._delete_committed_data)

    def _delete_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].browse(self.registrant_id).unlink()
            env["res.bank"].with_context(active_test=False).search(
                [("name", "=", ITEM["bank_name"])]
            ).unlink()

    def merge_after_a_concurrent_merge(self, defer_retry):
        """Keep in ``self.seen`` what the slow merge returned and the accounts its transaction
        holds then; raise the failure its commit would meet."""
        with self.registry.cursor() as slow_cr:
            slow_cr.execute("SELECT 1")  # the slow request's snapshot starts here
            with self.registry.cursor() as fast_cr:
                fast_env = api.Environment(fast_cr, SUPERUSER_ID, {})
                fast_env["g2p.bank.account.service"].merge_items(
                    fast_env["res.partner"].browse(self.registrant_id), [ITEM]
                )
            slow_env = api.Environment(slow_cr, SUPERUSER_ID, {})
            try:
                result = slow_env["g2p.bank.account.service"].merge_items(
                    slow_env["res.partner"].browse(self.registrant_id),
                    [BankDetailsRequest(**ITEM)],
                    defer_retry=defer_retry,
                )
                slow_env.flush_all()
                accounts = slow_env["res.partner.bank"].search([("partner_id", "=", self.registrant_id)])
                self.seen = (result, accounts.ids)
                with mute_logger("odoo.sql_db"):
                    slow_cr.flush()  # what Odoo does before committing a request
            finally:
                slow_cr.rollback()

    def test_the_later_merge_fails_to_be_run_again(self):
        with self.assertRaises(psycopg2.errors.SerializationFailure) as caught:
            self.merge_after_a_concurrent_merge(defer_retry=False)
        self.assertEqual(caught.exception.pgcode, "40001")

    def test_inside_registry_processing_the_failure_waits_for_the_commit(self):
        # The registry's update route turns exceptions into 400 answers: the merge writes
        # nothing and the request fails only when Odoo is about to commit it, then runs again.
        with self.assertRaises(psycopg2.errors.SerializationFailure):
            self.merge_after_a_concurrent_merge(defer_retry=True)
        self.assertEqual(self.seen, ({}, []))

    def test_without_a_concurrent_merge_nothing_waits(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            service = env["g2p.bank.account.service"]
            registrant = env["res.partner"].browse(self.registrant_id)
            for defer_retry in (False, True):
                service.merge_items(registrant, [ITEM], defer_retry=defer_retry)
            self.assertEqual(registrant.bank_ids.mapped("acc_number"), ["CM-1"])
            cr.flush()
            cr.rollback()
