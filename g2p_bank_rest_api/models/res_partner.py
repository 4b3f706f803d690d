"""The door through which the registry's create and update processing reaches bank accounts.

Upstream's processing builds a dict of values and the route then calls ``res.partner.create``
or ``write`` with it; on update it does so without telling the processing which registrant it
is about. A write-only field with an inverse is Odoo's own way to run code with the record
at hand: the processing puts the request's bank-account items in ``bank_account_items`` and
the inverse, which runs on the created or updated registrant, merges them into its accounts.
"""

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    bank_account_items = fields.Json(
        compute="_compute_bank_account_items",
        inverse="_inverse_bank_account_items",
        copy=False,
        help="Write-only. Bank-account items of the registry API (bank_name, acc_number, bic, "
        "acc_holder_name, primary): written, they are merged into the registrant's bank accounts.",
    )

    bank_account_event_ids = fields.One2many(
        "g2p.bank.account.event",
        "registrant_id",
        string="Bank history",
        readonly=True,
        groups="g2p_bank_rest_api.group_audit_read",
        help="The audit trail of this registrant's bank details, newest first.",
    )

    def _compute_bank_account_items(self):
        # Nothing to show: the accounts themselves are in bank_ids.
        self.bank_account_items = False

    def _inverse_bank_account_items(self):
        service = self.env["g2p.bank.account.service"]
        for registrant in self:
            if registrant.bank_account_items:
                service.merge_items(registrant, registrant.bank_account_items, defer_retry=True)
