"""The audit trail of bank details (contract section 6): one append-only record per event.

Which events a change makes and what they say is decided by ``rules.audit``; the addon's own
code creates them (as superuser, through ``audit_trail``) in the transaction of the change.
Nobody, superuser included, changes or removes an event afterwards: ``write`` and ``unlink``
refuse, and the access rules grant reading only, to the audit group.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..rules.audit import BankAccountEvent, EventKind, FieldChange

KINDS = [(kind.value, kind.value.replace("_", " ").capitalize()) for kind in EventKind]


class BankAccountEventRecord(models.Model):
    _name = "g2p.bank.account.event"
    _description = "Bank details: audit event"
    _order = "id desc"
    _log_access = False  # time and actor are the event's own fields; nobody writes it later
    _rec_name = "kind"

    time = fields.Datetime(required=True, readonly=True, help="When the change was made (UTC)")
    kind = fields.Selection(KINDS, required=True, readonly=True)
    actor = fields.Char(required=True, readonly=True, help="Login of the user who made the request")
    api_key = fields.Char(string="API key", readonly=True, help="Name of the API key used, if any")
    method = fields.Char(required=True, readonly=True)
    route = fields.Char(required=True, readonly=True)
    request_id = fields.Char(required=True, readonly=True, index=True)
    registrant_id = fields.Many2one("res.partner", readonly=True, index=True, ondelete="set null")
    account_id = fields.Many2one("res.partner.bank", readonly=True, ondelete="set null")
    account_ref = fields.Integer(
        string="Account id", readonly=True, help="Id of the account (kept even if the record were gone)"
    )
    bank_id = fields.Many2one("res.bank", readonly=True, ondelete="set null")
    acc_number = fields.Char(string="Account number", readonly=True, help="Last four characters")
    changes = fields.Json(string="Changes (JSON)", readonly=True, help="Each changed field: before, after")
    changes_text = fields.Text(string="Changes", compute="_compute_changes_text")
    count = fields.Integer(readonly=True)
    first_registrant_id = fields.Integer(readonly=True)
    last_registrant_id = fields.Integer(readonly=True)

    @api.depends("changes")
    def _compute_changes_text(self):
        for event in self:
            event.changes_text = "\n".join(
                f"{name}: {change.get('before')!r} → {change.get('after')!r}"
                for name, change in (event.changes or {}).items()
            )

    def write(self, vals):
        if self:
            raise UserError(_("Bank-detail audit events cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(_("Bank-detail audit events cannot be deleted."))
        return super().unlink()

    def as_answer(self):
        """The events as both routes answer them (``rules.audit.BankAccountEvent``)."""
        return [
            BankAccountEvent(
                id=event.id,
                time=event.time,  # naive UTC: the shared model answers it with its offset
                kind=EventKind(event.kind),
                actor=event.actor,
                api_key=event.api_key or None,
                method=event.method,
                route=event.route,
                request_id=event.request_id,
                registrant_id=event.registrant_id.id or None,
                account_id=event.account_ref or None,
                bank_id=event.bank_id.id or None,
                acc_number=event.acc_number or None,
                changes={name: FieldChange(**change) for name, change in (event.changes or {}).items()},
                count=event.count or None,
                first_registrant_id=event.first_registrant_id or None,
                last_registrant_id=event.last_registrant_id or None,
            )
            for event in self
        ]
