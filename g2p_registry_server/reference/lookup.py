"""Finding reference data by the names clients send, with upstream's error messages."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..errors import RegistryError
from ..registrants.models import Gender, GroupKind, IdType, MembershipKind


class ReferenceLookup:
    """Reference lookups of one request; each name is queried once."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[tuple[type, str], object | None] = {}

    def _find(self, model: type, column: str, name: str) -> object | None:
        key = (model, name)
        if key not in self._cache:
            query: Select[Any] = select(model).where(getattr(model, column) == name)
            self._cache[key] = self._session.scalars(query).first()
        return self._cache[key]

    def find_id_type(self, name: str) -> IdType | None:
        return self._find(IdType, "name", name)  # type: ignore[return-value]

    def id_type(self, name: str) -> IdType:
        id_type = self.find_id_type(name)
        if id_type is None:
            raise RegistryError(f"Invalid ID field. ID type - {name} is not present in the database.")
        return id_type

    def gender_value(self, code: str) -> str:
        gender = self._find(Gender, "code", code)
        if gender is None or not gender.active:  # type: ignore[attr-defined]
            raise RegistryError(f"Invalid gender. Gender - {code} is not present in the database.")
        return gender.value  # type: ignore[attr-defined]

    def group_kind(self, name: str) -> GroupKind:
        kind = self._find(GroupKind, "name", name)
        if kind is None:
            raise RegistryError(f"Group type Not Found. Group type - {name} is not present in the database.")
        return kind  # type: ignore[return-value]

    def membership_kind(self, name: str) -> MembershipKind:
        kind = self._find(MembershipKind, "name", name)
        if kind is None:
            raise RegistryError(
                f"Member's kind not found. Membership kind - {name} is not present in the database."
            )
        return kind  # type: ignore[return-value]
