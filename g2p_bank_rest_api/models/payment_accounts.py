"""The payment list (`GET /payment_accounts`): every registrant that holds or held a bank account,
with its IDs and its primary account, read one page per statement.

A registrant is listed when it is active and has an account, archived ones included: one whose
accounts were all archived is listed without an account, so that a payment system syncing with
``updated_since`` learns it can no longer be paid. The primary account is the first active
``res.partner.bank`` in (sequence, id) order, the one OpenG2P's payment managers pay. The keyset
is ``res.partner.id``, which only grows: paging never repeats a registrant and never skips one
that existed when paging started.
"""

from odoo import api, models

# One statement per page, so that an item always shows one committed state of the registrant.
# The page's registrants are chosen first (keyset, limit), then each one's IDs and primary
# account are looked up through its indexes, whatever the size of the tables.
_PAGE = """
    WITH listed AS (
        SELECT partner.id, partner.name, partner.is_group
          FROM res_partner partner
         WHERE partner.active
           AND partner.is_registrant
           AND partner.id > %(after)s
           AND EXISTS (SELECT 1 FROM res_partner_bank held WHERE held.partner_id = partner.id)
           AND (%(since)s::timestamp IS NULL
                OR partner.write_date >= %(since)s
                OR EXISTS (SELECT 1
                             FROM res_partner_bank changed
                            WHERE changed.partner_id = partner.id AND changed.write_date >= %(since)s))
      ORDER BY partner.id
         LIMIT %(limit)s
    )
    SELECT listed.id, listed.name, listed.is_group,
           coalesce((SELECT json_agg(json_build_array(id_type.name, reg.value) ORDER BY reg.id)
                       FROM g2p_reg_id reg
                       JOIN g2p_id_type id_type ON id_type.id = reg.id_type
                      WHERE reg.partner_id = listed.id AND reg.value IS NOT NULL), '[]'::json),
           payee.id, payee.bank_name, payee.bic, payee.acc_number, payee.acc_holder_name
      FROM listed
 LEFT JOIN LATERAL (
               SELECT account.id, bank.name AS bank_name, bank.bic,
                      account.acc_number, account.acc_holder_name
                 FROM res_partner_bank account
            LEFT JOIN res_bank bank ON bank.id = account.bank_id
                WHERE account.partner_id = listed.id AND account.active
             ORDER BY account.sequence, account.id
                LIMIT 1
           ) payee ON true
  ORDER BY listed.id
"""


class PaymentAccountList(models.AbstractModel):
    _name = "g2p.payment.account.list"
    _description = "Registrants with the bank account payments go to, for payment systems"

    @api.model
    def page(self, after_id=0, updated_since=None, limit=100):
        """Up to ``limit`` listed registrants with an id above ``after_id``, in id order, as the
        answer's items (dicts). ``updated_since`` (naive UTC) keeps those whose own data or any
        of whose accounts changed at or after it."""
        # Pending ORM writes of this transaction must be in the tables the statement reads.
        self.env.flush_all()
        self.env.cr.execute(_PAGE, {"after": after_id, "since": updated_since, "limit": limit})
        return [self._item(row) for row in self.env.cr.fetchall()]

    @api.model
    def _item(self, row):
        registrant_id, name, is_group, ids, account_id, bank_name, bic, acc_number, holder = row
        account = None
        if account_id is not None:
            account = {
                "id": account_id,
                "bank_name": bank_name or None,
                "bic": bic or None,
                "acc_number": acc_number,
                "acc_holder_name": holder or None,
            }
        return {
            "registrant_id": registrant_id,
            "name": name or None,
            "is_group": bool(is_group),
            "ids": [{"id_type": id_type, "value": value} for id_type, value in ids],
            "account": account,
        }
