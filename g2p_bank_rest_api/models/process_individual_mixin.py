"""Bank accounts in the registry's processing of individuals (POST /individual, group members,
PUT /update_individual)."""

from odoo import models


class _RequestWithoutImage:
    """A registry request as upstream's processing reads it, ``image_1920`` included.

    Upstream's ``_process_individual`` reads ``image_1920``, which only its update request
    declares: on the released registry, creating an individual or a group with members fails
    with an AttributeError (HTTP 500). Reading None for it is what that code means to do, and
    keeps the request schemas as upstream publishes them.
    """

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        try:
            return getattr(self._request, name)
        except AttributeError:
            if name == "image_1920":
                return None
            raise


class ProcessIndividualMixin(models.AbstractModel):
    _inherit = "process_individual.rest.mixin"

    def _process_individual(self, individual):
        readable = individual
        if not hasattr(individual, "image_1920"):
            readable = _RequestWithoutImage(individual)
        values = super()._process_individual(readable)
        values.update(self._bank_account_values(individual))
        return values

    def _bank_account_values(self, registrant_info):
        """Values that make res.partner merge the request's bank accounts when written.

        ``bank_ids`` absent or null leaves the accounts as they are.
        """
        items = getattr(registrant_info, "bank_ids", None)
        if not items:
            return {}
        return {"bank_account_items": [item.model_dump() for item in items]}
