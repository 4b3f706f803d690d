"""Routes on groups, wire-compatible with upstream's `group` router."""

from typing import Annotated

from fastapi import APIRouter, Query

from ...api.deps import OneTripRoute, RegistryReader, RegistryWriter, SessionDep, scope_answers
from ...auth.scopes import REGISTRY_READ, REGISTRY_WRITE
from ...errors import RegistryError
from ..fields import QueryText
from ..processing import RegistrantProcessing
from ..repository import get_registrant, search_registrants
from ..schemas import GroupInfoRequest, GroupInfoResponse

NOT_PRESENT = "ID/Name not present."

group_router = APIRouter(route_class=OneTripRoute, tags=["group"])


@group_router.get("/group/{_id}", response_model=GroupInfoResponse, responses=scope_answers(REGISTRY_READ))
def get_group(_id: int, session: SessionDep, caller: RegistryReader):
    """Get partner's information by ID"""
    group = get_registrant(session, registrant_id=_id, is_group=True)
    if group is None:
        raise RegistryError(f"{NOT_PRESENT} Record is not present in the database.")
    return RegistrantProcessing(session, scopes=caller.scopes).group_answers([group])[0]


@group_router.get("/group", response_model=list[GroupInfoResponse], responses=scope_answers(REGISTRY_READ))
def search_groups(
    session: SessionDep,
    caller: RegistryReader,
    _id: int | None = None,
    name: Annotated[QueryText | None, Query()] = None,
    include_members_full: bool = False,
):
    """Search for groups by ID or name (a substring of the name); members are listed only with
    include_members_full"""
    groups = search_registrants(session, is_group=True, registrant_id=_id, name=name)
    if not groups:
        if _id and name:
            reason = "Entered Name and ID does not exist."
        elif name:
            reason = "This Name does not exist. Please enter a valid Name."
        elif _id:
            reason = "This ID does not exist. Please enter a valid ID."
        else:
            reason = "No group is registered."
        raise RegistryError(f"{NOT_PRESENT} {reason}")
    return RegistrantProcessing(session, scopes=caller.scopes).group_answers(
        groups, with_members=include_members_full
    )


@group_router.post("/group", response_model=GroupInfoResponse, responses=scope_answers(REGISTRY_WRITE))
def create_group(request: GroupInfoRequest, session: SessionDep, caller: RegistryWriter):
    """Create a new Group"""
    processing = RegistrantProcessing(session, scopes=caller.scopes)
    group = processing.create_group(request)
    return processing.group_answers([processing.created(group)])[0]
