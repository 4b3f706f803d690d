"""Two requests giving one new number to two registrants under a blocking policy: one succeeds.

As in ``test_concurrent_merges``, two committed transactions play two workers: the slow one
takes its snapshot first, the fast one gives the number to its registrant and commits, then
the slow one tries to give it to another registrant. Its snapshot cannot see the fast one's
account; the number's lock and the check through a new cursor find it anyway.
"""

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..shared_account_policy import POLICY_PARAMETER, AccountHeldElsewhere

ITEM = {"bank_name": "Concurrent Shared Bank", "acc_number": "CS-0001-RACE"}


@tagged("post_install", "-at_install")
class TestConcurrentSharedAccounts(TransactionCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.previous_policy = env["ir.config_parameter"].get_param(POLICY_PARAMETER)
            env["ir.config_parameter"].set_param(POLICY_PARAMETER, "block")
            # The bank exists already: only the number is raced for (a new bank has its own retry).
            env["res.bank"].create({"name": ITEM["bank_name"]})
            self.first_id, self.second_id = (
                env["res.partner"]
                .create(
                    [
                        {"name": "RACE, FIRST", "is_registrant": True},
                        {"name": "RACE, SECOND", "is_registrant": True},
                    ]
                )
                .ids
            )
        self.addCleanup(self._delete_committed_data)

    def _delete_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param(POLICY_PARAMETER, self.previous_policy or False)
            partners = env["res.partner"].browse([self.first_id, self.second_id])
            # Events are append-only for everybody: a committed test's are removed below the ORM.
            cr.execute("DELETE FROM g2p_bank_account_event WHERE registrant_id = ANY(%s)", [partners.ids])
            cr.execute(
                "DELETE FROM g2p_bank_account_event"
                " WHERE bank_id IN (SELECT id FROM res_bank WHERE name = %s)",
                [ITEM["bank_name"]],
            )
            partners.unlink()
            env["res.bank"].with_context(active_test=False).search(
                [("name", "=", ITEM["bank_name"])]
            ).unlink()

    def give(self, env, registrant_id):
        service = env["g2p.bank.account.service"]
        return service.merge_items(env["res.partner"].browse(registrant_id), [ITEM])

    def test_exactly_one_of_two_concurrent_requests_gets_the_number(self):
        outcomes = {}
        with self.registry.cursor() as slow_cr:
            slow_cr.execute("SELECT 1")  # the slow request's snapshot starts here
            with self.registry.cursor() as fast_cr:
                self.give(api.Environment(fast_cr, SUPERUSER_ID, {}), self.first_id)
                outcomes["fast"] = "committed"
            slow_env = api.Environment(slow_cr, SUPERUSER_ID, {})
            # What the slow transaction sees by itself: nobody holds the number yet.
            self.assertFalse(slow_env["res.partner.bank"].search([("acc_number", "=", ITEM["acc_number"])]))
            try:
                self.give(slow_env, self.second_id)
                slow_cr.flush()
                slow_cr.commit()
                outcomes["slow"] = "committed"
            except AccountHeldElsewhere:
                slow_cr.rollback()
                outcomes["slow"] = "refused"
        self.assertEqual(outcomes, {"fast": "committed", "slow": "refused"})
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            holders = env["res.partner.bank"].search([("sanitized_acc_number", "=", "CS0001RACE")]).partner_id
            self.assertEqual(holders.ids, [self.first_id])
            events = env["g2p.bank.account.event"].search(
                [("registrant_id", "in", [self.first_id, self.second_id])]
            )
            self.assertEqual(
                sorted((event.registrant_id.id, event.kind) for event in events),
                [(self.first_id, "created")],
            )
