"""Bulk onboarding of individuals: many items per transaction, each item created, updated,
left unchanged or rejected on its own, with the rules of the single-registrant routes.

Items are matched by the value of their ID of the batch's ID type: a value nobody holds creates
an individual, a value an individual holds updates that individual with the merge semantics of
`PUT /update_individual` (absent or empty fields keep their value, IDs and phones are added or
updated, never duplicated). So importing the same batch twice changes nothing the second time.

The work is set-based: one query finds every ID the batch names, new individuals and their IDs
and phones are inserted with a few executemany statements, existing ones are loaded (and
locked) in one query and flushed once. Extensions take part through two hooks, as in
`RegistrantProcessing`:

- `check_items` may reject accepted items before anything is written;
- `write_items` writes the extension's data for every accepted item once the registry's rows
  exist (`item.registrant_id` is set), and sets `item.changed` when it changes an existing
  individual.
"""

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

from extendable import ExtendableMeta
from sqlalchemy import Table
from sqlalchemy.orm import Session

from g2p_bank_server.rules.bulk import BulkItem, ItemResult, accepted, validate_items
from g2p_bank_server.rules.individuals import INDIVIDUAL_FIELDS

from ..db import utc_now
from ..errors import RegistryError
from ..reference.lookup import ReferenceLookup
from ..registrants import service
from ..registrants.models import PhoneNumber, Registrant, RegistrantId
from ..registrants.schemas import IndividualInfoRequest
from . import repository
from .schema_copy import plain_copy

# Column orders of the rows inserted for new individuals.
REGISTRANT_COLUMNS = (
    "id",
    *INDIVIDUAL_FIELDS,
    "is_group",
    "is_partial_group",
    "gender",
    "phone",
    "active",
    "create_date",
    "write_date",
)
ID_COLUMNS = ("registrant_id", "id_type_id", "value", "expiry_date", "status", "description")
PHONE_COLUMNS = ("registrant_id", "phone_no", "phone_sanitized", "date_collected")
_ALREADY_ASSIGNED = "ID - {type} {value} is already assigned to another registrant."


class BulkIndividualProcessing(metaclass=ExtendableMeta):
    def __init__(self, session: Session, *, id_type: str, scopes: frozenset[str] | None) -> None:
        """`scopes`: what the API caller may do; None for the command line (every right)."""
        self.session = session
        self.scopes = scopes
        self.reference = ReferenceLookup(session)
        if not id_type:
            raise RegistryError("id_type is required: items are matched by their ID of that type.")
        self.id_type_name = id_type
        self.now = utc_now()
        # Reference data as plain values, each name resolved once per batch: items name the
        # same few ID types and genders over and over.
        self._type_ids: dict[str, int | None] = {}
        self._genders: dict[str, tuple[str | None, str | None]] = {}

    # --- hooks for extensions ------------------------------------------------------------------

    def check_items(self, items: Sequence[BulkItem]) -> None:
        """Called with the accepted items before anything is written; may reject some."""

    def write_items(self, items: Sequence[BulkItem]) -> None:
        """Called with the accepted items once the registry's rows are written."""

    # --- the use case ----------------------------------------------------------------------------

    def import_items(self, raw_items: Sequence[Any]) -> list[ItemResult]:
        # The final class: the registry's schema with every enabled extension's fields (as a
        # plain copy: same fields and rules, cheaper instances).
        request_class = plain_copy(IndividualInfoRequest._get_assembled_cls())
        # Validation needs no database: done before the transaction's first statement, so that
        # on SQLite (BEGIN IMMEDIATE) the write lock is not held meanwhile and parallel import
        # workers validate while another one writes.
        items = validate_items(raw_items, request_class)
        self.id_type = self.reference.id_type(self.id_type_name)
        self._check_references(accepted(items))
        self._match(accepted(items))
        self.check_items(accepted(items))
        todo = accepted(items)
        self._update([item for item in todo if item.registrant is not None])
        self._create([item for item in todo if item.registrant is None])
        self.write_items(todo)
        for item in todo:
            if item.changed and not item.created:
                # IDs, phones or extension data alone are a change of the individual too.
                item.registrant.write_date = self.now
        self.session.flush()
        return [item.result() for item in items]

    # --- checks ----------------------------------------------------------------------------------

    def _check_references(self, items: Sequence[BulkItem]) -> None:
        """Reference data each item names (ID types, gender) and its matching ID; each name is
        looked up once per batch."""
        match_type_id = self.id_type.id
        for item in items:
            request = item.request
            if request.gender:
                _, unknown = self._gender(request.gender)
                if unknown is not None:
                    item.reject(["gender"], unknown, "unknown_gender")
            seen: set[int] = set()
            for position, id_request in enumerate(request.ids):
                type_id = self._type_id(id_request.id_type)
                if type_id is None:
                    item.reject(
                        ["ids", position, "id_type"],
                        f"Invalid ID field. ID type - {id_request.id_type} is not present in the database.",
                        "unknown_id_type",
                    )
                elif type_id in seen:
                    item.reject(
                        ["ids", position, "id_type"],
                        "ID Type must be unique: a registrant holds at most one ID of each type.",
                        "duplicate_id_type",
                    )
                else:
                    seen.add(type_id)
                    if type_id == match_type_id:
                        item.match_value = id_request.value
            if item.match_value is None:
                item.reject(
                    ["ids"],
                    f"No ID of type {self.id_type.name}: items are matched by their ID of that type.",
                    "missing_match_id",
                )

    def _type_id(self, name: str) -> int | None:
        """The id of the ID type called ``name``, None if there is none."""
        if name not in self._type_ids:
            id_type = self.reference.find_id_type(name)
            self._type_ids[name] = None if id_type is None else id_type.id
        return self._type_ids[name]

    def _gender(self, code: str) -> tuple[str | None, str | None]:
        """The value of the gender ``code`` and None, or None and why ``code`` names no gender."""
        if code not in self._genders:
            try:
                self._genders[code] = (self.reference.gender_value(code), None)
            except RegistryError as error:
                self._genders[code] = (None, error.message)
        return self._genders[code]

    def _pairs(self, item: BulkItem) -> list[tuple[int, int, str]]:
        """(position, ID type id, value) of each ID of the item (of known types: checked)."""
        return [
            (position, self._type_id(id_request.id_type), id_request.value)  # type: ignore[misc]
            for position, id_request in enumerate(item.request.ids)
        ]

    def _match(self, items: Sequence[BulkItem]) -> None:
        """Find the individual each item updates (if any) and refuse IDs held by someone else,
        including another item of this batch."""
        pairs_of = {item.index: self._pairs(item) for item in items}
        holders = repository.id_holders(
            self.session, [(type_id, value) for pairs in pairs_of.values() for _, type_id, value in pairs]
        )
        claimed: dict[tuple[int, str], int] = {}
        for item in items:
            pairs = pairs_of[item.index]
            holder = holders.get((self.id_type.id, item.match_value or ""))
            if holder is not None and (holder.is_group or not holder.active):
                position = next(p for p, type_id, _ in pairs if type_id == self.id_type.id)
                item.reject(
                    ["ids", position, "value"],
                    _ALREADY_ASSIGNED.format(type=self.id_type.name, value=item.match_value),
                    "id_assigned",
                )
                continue
            registrant_id = holder.registrant_id if holder else None
            for position, type_id, value in pairs:
                other = holders.get((type_id, value))
                if (type_id, value) in claimed:
                    item.reject(
                        ["ids", position, "value"],
                        f"Same ID as item {claimed[(type_id, value)]} of this batch.",
                        "duplicate_item",
                    )
                elif other is not None and other.registrant_id != registrant_id:
                    item.reject(
                        ["ids", position, "value"],
                        _ALREADY_ASSIGNED.format(type=item.request.ids[position].id_type, value=value),
                        "id_assigned",
                    )
            if item.accepted:
                item.registrant_id = registrant_id
                claimed.update({(type_id, value): item.index for _, type_id, value in pairs})
        existing = repository.registrants_for_update(
            self.session, [item.registrant_id for item in items if item.accepted and item.registrant_id]
        )
        for item in items:
            if item.accepted and item.registrant_id:
                item.registrant = existing[item.registrant_id]

    # --- writes ----------------------------------------------------------------------------------

    def _update(self, items: Sequence[BulkItem]) -> None:
        """The merge of `PUT /update_individual`, on registrants loaded in one query."""
        for item in items:
            registrant, request = item.registrant, item.request
            assert registrant is not None, "matched in _match"
            service.copy_fields(registrant=registrant, request=request, fields=INDIVIDUAL_FIELDS)
            service.set_gender(registrant=registrant, code=request.gender, reference=self.reference)
            service.add_phone_numbers(registrant=registrant, phone_numbers=request.phone_numbers)
            service.apply_ids(
                registrant=registrant,
                resolved=[(self.reference.id_type(i.id_type), i) for i in request.ids],
            )
            # Before anything flushes: the net change of this item, children included.
            item.changed = self.session.is_modified(registrant) or any(
                self.session.is_modified(child)
                for child in (*registrant.reg_ids, *registrant.phone_number_ids)
            )

    def _create(self, items: Sequence[BulkItem]) -> None:
        if not items:
            return
        ids = repository.allocate_ids(self.session, cast(Table, Registrant.__table__), len(items))
        registrant_rows, id_rows, phone_rows = [], [], []
        for item, registrant_id in zip(items, ids, strict=True):
            item.registrant_id, item.created, item.changed = registrant_id, True, True
            registrant_rows.append(self._registrant_row(registrant_id, item.request))
            id_rows += [self._id_row(registrant_id, id_request) for id_request in item.request.ids]
            phone_rows += self._phone_rows(registrant_id, item.request.phone_numbers or ())
        repository.insert_many(
            self.session, cast(Table, Registrant.__table__), REGISTRANT_COLUMNS, registrant_rows
        )
        repository.insert_many(self.session, cast(Table, RegistrantId.__table__), ID_COLUMNS, id_rows)
        repository.insert_many(self.session, cast(Table, PhoneNumber.__table__), PHONE_COLUMNS, phone_rows)

    def _registrant_row(self, registrant_id: int, request: Any) -> tuple:
        # The same field rules as an update (copy_fields), on a blank individual.
        fields = SimpleNamespace(**dict.fromkeys(INDIVIDUAL_FIELDS))
        service.copy_fields(registrant=fields, request=request, fields=INDIVIDUAL_FIELDS)  # type: ignore[arg-type]
        phones = request.phone_numbers or ()
        gender = self._gender(request.gender)[0] if request.gender else None
        phone = phones[0].phone_no if phones else None
        return (registrant_id, *vars(fields).values(), False, False, gender, phone, True, self.now, self.now)

    def _id_row(self, registrant_id: int, id_request: Any) -> tuple:
        return (
            registrant_id,
            self._type_id(id_request.id_type),
            id_request.value,
            id_request.expiry_date,
            id_request.status,
            id_request.description or None,
        )

    @staticmethod
    def _phone_rows(registrant_id: int, phone_numbers: Sequence[Any]) -> list[tuple]:
        # As add_phone_numbers: one row per sanitized number, the last collection date wins.
        rows: dict[str, tuple] = {}
        for phone in phone_numbers:
            sanitized = service.sanitize_phone(phone.phone_no)
            held = rows.get(sanitized)
            collected = phone.date_collected if phone.date_collected is not None else (held and held[3])
            rows[sanitized] = (registrant_id, held[1] if held else phone.phone_no, sanitized, collected)
        return list(rows.values())
