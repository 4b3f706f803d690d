"""A malformed Accept-Language header is ignored instead of failing the request (see also
``test_http``, through Odoo's dispatcher)."""

from odoo.tests.common import TransactionCase


class TestAcceptLanguage(TransactionCase):
    def test_malformed_headers_mean_the_default_language(self):
        Lang = self.env["res.lang"]
        self.assertEqual(Lang._get_lang_from_accept_language("en-US,fr;q=0.8"), "en_US")
        for header in (";G'}", "en;q=high", "en;q=1;q=2", "en," * 3000):
            self.assertIsNone(Lang._get_lang_from_accept_language(header), header[:20])
