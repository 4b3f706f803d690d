"""`POST /bulk/individual`: many individuals in one request, one result per item."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from g2p_bank_server.rules.bulk import ITEMS_REQUEST_BODY, MAX_BULK_ITEMS, BulkItemResult

from ..api.deps import OneTripRoute, RegistryWriter, SessionDep, scope_answers
from ..auth.scopes import REGISTRY_WRITE
from ..registrants.fields import QueryText
from .processing import BulkIndividualProcessing

bulk_router = APIRouter(route_class=OneTripRoute, tags=["bulk"])


@bulk_router.post(
    "/bulk/individual",
    response_model=list[BulkItemResult],
    openapi_extra=ITEMS_REQUEST_BODY,
    responses={
        400: {"description": "Unknown ID type"},
        409: {"description": "Concurrent write; retry"},
        **scope_answers(REGISTRY_WRITE),
    },
)
def import_individuals(
    items: Annotated[list[Any], Body(max_length=MAX_BULK_ITEMS)],
    session: SessionDep,
    caller: RegistryWriter,
    id_type: Annotated[
        QueryText, Query(description="The ID type whose value matches an item to an existing individual")
    ],
):
    """Create or update up to 1000 individuals (with their IDs, phones and extension data such
    as bank accounts). Each item is an individual as `POST /individual` takes it and is matched
    by the value of its ID of type `id_type`: a new value creates an individual, a known one
    updates that individual as `PUT /update_individual` does. Each item is validated on its own:
    a rejected item writes nothing and does not stop the others. One transaction per request."""
    return BulkIndividualProcessing(session, id_type=id_type, scopes=caller.scopes).import_items(items)
