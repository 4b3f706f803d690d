"""Unit tests of the pure bank-details rules shared by the Odoo addon and the standalone server."""
