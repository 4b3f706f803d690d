"""Routes on individuals, wire-compatible with upstream's `individual` router."""

from typing import Annotated

from fastapi import APIRouter, Body, Query

from ...api.deps import OneTripRoute, RegistryReader, RegistryWriter, SessionDep, scope_answers
from ...auth.scopes import REGISTRY_READ, REGISTRY_WRITE
from ...errors import RegistryError
from ..fields import QueryText
from ..processing import RegistrantProcessing
from ..repository import get_registrant, individual_id_values, search_registrants
from ..schemas import (
    IndividualInfoRequest,
    IndividualInfoResponse,
    UpdateIndividualInfoRequest,
    UpdateIndividualInfoResponse,
)

MAX_UPDATES = 1000

individual_router = APIRouter(route_class=OneTripRoute, tags=["individual"])


@individual_router.get(
    "/individual/{_id}", response_model=IndividualInfoResponse, responses=scope_answers(REGISTRY_READ)
)
def get_individual(_id: int, session: SessionDep, caller: RegistryReader):
    """Get partner's information by ID"""
    registrant = get_registrant(session, registrant_id=_id, is_group=False)
    if registrant is None:
        raise RegistryError("Record is not present in the database.")
    return RegistrantProcessing(session, scopes=caller.scopes).individual_answers([registrant])[0]


@individual_router.get(
    "/individual", response_model=list[IndividualInfoResponse], responses=scope_answers(REGISTRY_READ)
)
def search_individuals(
    session: SessionDep,
    caller: RegistryReader,
    _id: int | None = None,
    name: Annotated[QueryText | None, Query()] = None,
):
    """Search for individuals by ID or name (a substring of the name)"""
    registrants = search_registrants(session, is_group=False, registrant_id=_id, name=name)
    if not registrants:
        raise RegistryError("The specified criteria did not match any records.")
    return RegistrantProcessing(session, scopes=caller.scopes).individual_answers(registrants)


@individual_router.post(
    "/individual", response_model=IndividualInfoResponse, responses=scope_answers(REGISTRY_WRITE)
)
def create_individual(request: IndividualInfoRequest, session: SessionDep, caller: RegistryWriter):
    """Create a new individual"""
    processing = RegistrantProcessing(session, scopes=caller.scopes)
    registrant = processing.create_individual(request)
    return processing.individual_answers([processing.created(registrant)])[0]


@individual_router.get(
    "/get_individual_ids", response_model=list[str], responses=scope_answers(REGISTRY_READ)
)
def get_individual_ids(
    session: SessionDep,
    caller: RegistryReader,
    include_id_type: Annotated[QueryText | None, Query()] = "",
    exclude_id_type: Annotated[QueryText | None, Query()] = "",
):
    """Get the IDs of an individual"""
    if not include_id_type:
        raise RegistryError("Record is not present in the database: include_id_type is required.")
    reference = RegistrantProcessing(session, scopes=caller.scopes).reference
    include = reference.id_type(include_id_type)
    # Excluding a type nobody holds excludes nobody.
    exclude = reference.find_id_type(exclude_id_type) if exclude_id_type else None
    return individual_id_values(
        session, include_type_id=include.id, exclude_type_id=exclude.id if exclude else None
    )


@individual_router.put(
    "/update_individual",
    response_model=list[UpdateIndividualInfoResponse],
    responses=scope_answers(REGISTRY_WRITE),
)
def update_individual(
    requests: Annotated[list[UpdateIndividualInfoRequest], Body(max_length=MAX_UPDATES)],
    session: SessionDep,
    caller: RegistryWriter,
    id_type: Annotated[QueryText | None, Query()] = "",
):
    """Update an individual"""
    processing = RegistrantProcessing(session, scopes=caller.scopes)
    updated = processing.update_individuals(requests, id_type)
    return processing.updated_answers(processing.updated(updated))
