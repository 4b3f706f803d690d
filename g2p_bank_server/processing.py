"""The registry's create/update processing, extended with bank details.

Like the addon's process_individual/process_group mixins: the registry calls
``process_registrant`` for every registrant a request writes and ``fill_answers`` for every
answer. The banks a request names are found or created once, before the registry writes
anything, so that a request naming many banks (a group and its members, a list of updates)
costs one lookup, not one per registrant.
"""

from collections.abc import Iterable, Sequence

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
from .visibility import require_bank_write, shown_accounts, visibility_of


def _bank_items(requests: Iterable[BaseModel]) -> list[BankDetailsRequest]:
    return [item for request in requests for item in (getattr(request, "bank_ids", None) or ())]


class BankRegistrantProcessing(RegistrantProcessing, extends=RegistrantProcessing):
    def __init__(self, session: Session, *, scopes: frozenset[str] | None) -> None:
        super().__init__(session, scopes=scopes)
        self.banks = service.BankDirectory(session)

    def _prepare_banks(self, requests: Iterable[BaseModel]) -> None:
        """Before the registry writes anything: a request carrying accounts needs bank:write
        (refused whole otherwise), and its banks are found or created at once."""
        items = _bank_items(requests)
        if items:
            require_bank_write(self.scopes, needed_for="bank_ids in a request")
        self.banks.resolve(items)

    def create_individual(self, request: IndividualInfoRequest) -> Registrant:
        self._prepare_banks([request])
        return super().create_individual(request)

    def update_individuals(
        self, requests: Sequence[UpdateIndividualInfoRequest], id_type: str | None
    ) -> list[Registrant]:
        self._prepare_banks(requests)
        return super().update_individuals(requests, id_type)

    def create_group(self, request: GroupInfoRequest) -> Registrant:
        self._prepare_banks([request, *request.members])
        return super().create_group(request)

    def process_registrant(self, registrant: Registrant, request: BaseModel, *, created: bool) -> None:
        super().process_registrant(registrant, request, created=created)
        items = getattr(request, "bank_ids", None)
        if items is None:
            # On update: bank details not sent, accounts stay as they are.
            return
        if not created:
            service.require_registrant(self.session, registrant_id=registrant.id, lock=True)
        service.link_accounts(
            self.session,
            registrant_id=registrant.id,
            items=items,
            banks=self.banks,
            new_registrant=created,
            with_new_ids=False,
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
        shown = shown_accounts(accounts, registrant_ids, visibility)
        for registrant, answer in pairs:
            # Answer classes extended with `bank_ids` by this package (schemas.py).
            answer.bank_ids = shown[registrant.id]  # type: ignore[attr-defined]
