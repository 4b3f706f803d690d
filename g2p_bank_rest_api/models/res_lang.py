"""Requests with a malformed Accept-Language header are answered, in the default language.

OCA fastapi picks each request's language from that header; a value it cannot parse (a
quality that is not a number, a header over 8 KiB) raises in its parser and every route of the
registry API, ours included, answers 500. A client that sends a bad header asked for no
language this server can honour, so the header is ignored, as HTTP allows.
"""

import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _get_lang_from_accept_language(self, accept_language):
        try:
            return super()._get_lang_from_accept_language(accept_language)
        except ValueError:
            _logger.info("Ignored a malformed Accept-Language header (%d characters)", len(accept_language))
            return None
