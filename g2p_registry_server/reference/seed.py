"""Seeding reference data: the documented default (`default_reference_data.json`), or a JSON file
of the same shape named by `G2P_REFERENCE_DATA` or the `seed --file` command.

Seeding only adds what is missing (ON CONFLICT DO NOTHING on the unique names), so it can run
at every start and from several processes at once; it never deletes or renames anything.
"""

import json
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from ..db import insert_ignoring_conflicts
from ..registrants.fields import ReferenceName
from ..registrants.models import Gender, GroupKind, IdType, MembershipKind


class GenderEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: ReferenceName
    value: ReferenceName


class MembershipKindEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ReferenceName
    is_unique: bool = False


class ReferenceData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_types: list[ReferenceName] = Field(default_factory=list)
    genders: list[GenderEntry] = Field(default_factory=list)
    group_kinds: list[ReferenceName] = Field(default_factory=list)
    membership_kinds: list[MembershipKindEntry] = Field(default_factory=list)


class InvalidReferenceData(ValueError):
    pass


def load_reference_data(path: Path | None = None) -> ReferenceData:
    source = (
        path if path is not None else files("g2p_registry_server.reference") / "default_reference_data.json"
    )
    try:
        return ReferenceData.model_validate(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise InvalidReferenceData(f"Cannot read reference data from {source}: {exc}") from exc


def seed_reference_data(session: Session, data: ReferenceData) -> int:
    """Insert the missing entries; returns how many were added."""
    added = 0
    for name in data.id_types:
        added += insert_ignoring_conflicts(session, IdType, {"name": name})
    for gender in data.genders:
        added += insert_ignoring_conflicts(
            session, Gender, {"code": gender.code, "value": gender.value, "active": True}
        )
    for name in data.group_kinds:
        added += insert_ignoring_conflicts(session, GroupKind, {"name": name})
    for kind in data.membership_kinds:
        added += insert_ignoring_conflicts(
            session, MembershipKind, {"name": kind.name, "is_unique": kind.is_unique}
        )
    return added
