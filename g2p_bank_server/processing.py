"""The registry's create/update processing, extended with bank details.

Like the addon's process_individual/process_group mixins: the registry calls
``process_registrant`` for every registrant a request writes and ``fill_answers`` for every
answer. The banks a request names are found or created once, before the registry writes
anything, so that a request naming many banks (a group and its members, a list of updates)
costs one lookup, not one per registrant. Likewise the accounts are linked once the registry
has written every registrant of the request, after one check of all their numbers against the
shared-account policy (`shared.policy`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.orm import Session

from g2p_bank_server.rules import BankDetailsRequest, BankVisibility
from g2p_registry_server.registrants.models import Registrant
from g2p_registry_server.registrants.processing import RegistrantProcessing
from g2p_registry_server.registrants.schemas import (
    GroupInfoRequest,
    IndividualInfoRequest,
    UpdateIndividualInfoRequest,
)
from g2p_registry_server.registrants.views import RegistrantView

from . import service
from .shared import policy as shared_policy
from .shared.policy import Claim, Location, item_locations
from .visibility import require_bank_write, shown_accounts, visibility_of


def _bank_items(requests: Iterable[BaseModel]) -> list[BankDetailsRequest]:
    return [item for request in requests for item in (getattr(request, "bank_ids", None) or ())]


@dataclass(frozen=True)
class _PendingAccounts:
    """A registrant the registry has written, and the items its accounts are to hold."""

    registrant_id: int
    items: Sequence[BankDetailsRequest]
    created: bool
    location: Location


class BankRegistrantProcessing(RegistrantProcessing, extends=RegistrantProcessing):
    def __init__(self, session: Session, *, scopes: frozenset[str] | None) -> None:
        super().__init__(session, scopes=scopes)
        self.banks = service.BankDirectory(session)
        self._pending: list[_PendingAccounts] = []
        # Where each request of the body is (by identity), for the location of refused items.
        self._locations: dict[int, Location] = {}

    def _prepare_banks(self, requests: Iterable[BaseModel]) -> None:
        """Before the registry writes anything: a request carrying accounts needs bank:write
        (refused whole otherwise), and its banks are found or created at once."""
        items = _bank_items(requests)
        if items:
            require_bank_write(self.scopes, needed_for="bank_ids in a request")
        self.banks.resolve(items)

    def create_individual(self, request: IndividualInfoRequest) -> Registrant:
        self._prepare_banks([request])
        self._locations = {id(request): ("body",)}
        registrant = super().create_individual(request)
        self._link_pending()
        return registrant

    def update_individuals(
        self, requests: Sequence[UpdateIndividualInfoRequest], id_type: str | None
    ) -> list[Registrant]:
        self._prepare_banks(requests)
        self._locations = {id(request): ("body", index) for index, request in enumerate(requests)}
        updated = super().update_individuals(requests, id_type)
        self._link_pending()
        return updated

    def create_group(self, request: GroupInfoRequest) -> Registrant:
        self._prepare_banks([request, *request.members])
        self._locations = {id(request): ("body",)} | {
            id(member): ("body", "members", index) for index, member in enumerate(request.members)
        }
        group = super().create_group(request)
        self._link_pending()
        return group

    def process_registrant(self, registrant: Registrant, request: BaseModel, *, created: bool) -> None:
        super().process_registrant(registrant, request, created=created)
        items = getattr(request, "bank_ids", None)
        if items is None:
            # On update: bank details not sent, accounts stay as they are.
            return
        # Linked once every registrant is written, each row locked by then (the hook's promise):
        # account changes of one registrant take turns.
        location = self._locations.get(id(request), ("body",))
        self._pending.append(_PendingAccounts(registrant.id, items, created, location))

    def _link_pending(self) -> None:
        """Link the accounts of every registrant the request wrote, once the policy accepts
        all of them (one check for the whole request)."""
        pending, self._pending = self._pending, []
        shared_policy.check(
            self.session,
            [
                Claim(
                    entry.registrant_id,
                    entry.items,
                    item_locations((*entry.location, "bank_ids"), len(entry.items)),
                )
                for entry in pending
            ],
        )
        for entry in pending:
            service.link_accounts(
                self.session,
                registrant_id=entry.registrant_id,
                items=entry.items,
                banks=self.banks,
                new_registrant=entry.created,
            )

    def fill_answers(self, pairs: Sequence[tuple[RegistrantView, BaseModel]]) -> None:
        super().fill_answers(pairs)
        visibility = visibility_of(self.scopes)
        registrant_ids = [registrant.id for registrant, _ in pairs]
        # Not read at all when the caller may not see them.
        accounts = (
            service.active_accounts(self.session, registrant_ids=registrant_ids)
            if visibility is not BankVisibility.HIDDEN
            else {}
        )
        shown = shown_accounts(self.session, accounts, registrant_ids, visibility)
        for registrant, answer in pairs:
            # Answer classes extended with `bank_ids` by this package (schemas.py).
            answer.bank_ids = shown[registrant.id]  # type: ignore[attr-defined]
