"""Indexes on registrant IDs for the lookups this addon makes by ID value and by registrant.

Bulk onboarding finds who holds the IDs of up to a thousand items in one query by (ID type,
value), and the payment list reads the IDs of each listed registrant; the registry declares
neither column indexed, which makes both scan the whole table of IDs.
"""

from odoo import fields, models


class RegistrantId(models.Model):
    _inherit = "g2p.reg.id"

    partner_id = fields.Many2one(index=True)
    value = fields.Char(index=True)
