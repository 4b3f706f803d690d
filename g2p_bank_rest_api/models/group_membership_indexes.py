"""Indexes on group memberships for the shared-account policy's "shares a group" check.

Under ``block_outside_group`` and in the shared-accounts report, the memberships of the holders
of a number are read by individual and by group; the registry declares neither column indexed,
which would make every check scan the whole table of memberships.
"""

from odoo import fields, models


class GroupMembership(models.Model):
    _inherit = "g2p.group.membership"

    group = fields.Many2one(index=True)
    individual = fields.Many2one(index=True)
