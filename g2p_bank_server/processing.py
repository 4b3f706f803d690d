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

from g2p_bank_server.rules import BankDetailsRequest
from g2p_registry_server.registrants.models import Registrant
from g2p_registry_server.registrants.processing import RegistrantProcessing
from g2p_registry_server.registrants.schemas import (
    GroupInfoRequest,
    IndividualInfoRequest,
    UpdateIndividualInfoRequest,
)
from g2p_registry_server.registrants.views import RegistrantView

from . import service


def _bank_items(requests: Iterable[BaseModel]) -> list[BankDetailsRequest]:
    return [item for request in requests for item in (getattr(request, "bank_ids", None) or ())]


class BankRegistrantProcessing(RegistrantProcessing, extends=RegistrantProcessing):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.banks = service.BankDirectory(session)

    def create_individual(self, request: IndividualInfoRequest) -> Registrant:
        self.banks.resolve(_bank_items([request]))
        return super().create_individual(request)

    def update_individuals(
        self, requests: Sequence[UpdateIndividualInfoRequest], id_type: str | None
    ) -> list[Registrant]:
        self.banks.resolve(_bank_items(requests))
        return super().update_individuals(requests, id_type)

    def create_group(self, request: GroupInfoRequest) -> Registrant:
        self.banks.resolve(_bank_items([request, *request.members]))
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
        )

    def fill_answers(self, pairs: Sequence[tuple[RegistrantView, BaseModel]]) -> None:
        super().fill_answers(pairs)
        accounts = service.active_accounts(
            self.session, registrant_ids=[registrant.id for registrant, _ in pairs]
        )
        for registrant, answer in pairs:
            # Answer classes extended with `bank_ids` by this package (schemas.py).
            answer.bank_ids = accounts.get(registrant.id, [])  # type: ignore[attr-defined]
