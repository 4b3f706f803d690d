"""`POST /bulk/individual`: up to 1,000 individuals in one request, one result per item.

The body is read as a plain JSON array so that one bad element is rejected alone (its result
says why) instead of making the whole request a 422; the OpenAPI document still declares the
elements as `IndividualInfoRequest`. The use case lives in `g2p.bulk.individual.service`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from odoo.api import Environment

from odoo.addons.fastapi.dependencies import authenticated_partner_env
from odoo.addons.g2p_registry_rest_api.schemas.individual import IndividualInfoRequest

from ..rules.bulk import ITEMS_REQUEST_BODY, MAX_BULK_ITEMS, BulkItemResult
from ..rules.scopes import Scope
from ..scope_checks import requires_scope

bulk_router = APIRouter(tags=["bulk"])


@bulk_router.post(
    "/bulk/individual",
    response_model=list[BulkItemResult],
    openapi_extra=ITEMS_REQUEST_BODY,
    responses={400: {"description": "Unknown ID type"}},
    dependencies=[Depends(requires_scope(Scope.REGISTRY_WRITE))],
)
def import_individuals(
    items: Annotated[list[Any], Body(max_length=MAX_BULK_ITEMS)],
    id_type: Annotated[
        str,
        Query(
            min_length=1,
            max_length=255,
            description="The ID type whose value matches an item to an existing individual",
        ),
    ],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
):
    """Create or update up to 1000 individuals (with their IDs, phones and bank accounts). Each
    item is an individual as `POST /individual` takes it and is matched by the value of its ID of
    type `id_type`: a new value creates an individual, a known one updates that individual as
    `PUT /update_individual` does (bank accounts merged). Each item is validated on its own: a
    rejected item writes nothing and does not stop the others. One transaction per request."""
    # The registry's routes read and write registrants as superuser; so does this one.
    service = env["g2p.bulk.individual.service"].sudo()
    # The request schema as this database assembles it: bank_ids and other extensions included.
    return service.import_items(items, id_type, IndividualInfoRequest._get_assembled_cls())
