"""Bank accounts in bulk imports: the items' ``bank_ids`` merged into each individual's
accounts with the rules of single requests (``plan_accounts``, ``BankDirectory``), set-based.

Per batch: the banks of every item are found or created at once; the accounts of the existing
individuals are read in one query and merged as ``PUT /update_individual`` merges them (flushed
once with the batch); the accounts of new individuals are inserted with one executemany.
"""

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from g2p_bank_server.rules import carries_bank_details, plan_accounts
from g2p_registry_server.bulk.items import BulkItem
from g2p_registry_server.bulk.processing import BulkIndividualProcessing
from g2p_registry_server.bulk.results import ItemResult

from . import repository, service
from .visibility import require_bank_write

_account_row = itemgetter(*repository.ACCOUNT_COLUMNS)


class BankBulkIndividualProcessing(BulkIndividualProcessing, extends=BulkIndividualProcessing):
    def import_items(self, raw_items: Sequence[Any]) -> list[ItemResult]:
        # Refused whole, before any item is read or written: one item carrying accounts is enough.
        if carries_bank_details(raw_items):
            require_bank_write(self.scopes, needed_for="bank_ids in a request")
        return super().import_items(raw_items)

    def write_items(self, items: Sequence[BulkItem]) -> None:
        super().write_items(items)
        with_accounts = [item for item in items if getattr(item.request, "bank_ids", None)]
        if not with_accounts:
            return
        banks = service.BankDirectory(self.session)
        # The registry's updates first, as before any query: the bank lookup does not flush.
        self.session.flush()
        banks.resolve(account for item in with_accounts for account in item.request.bank_ids)
        self._add_new_accounts([item for item in with_accounts if item.created], banks)
        self._merge_accounts([item for item in with_accounts if not item.created], banks)

    def _add_new_accounts(self, items: Sequence[BulkItem], banks: service.BankDirectory) -> None:
        rows = []
        for item in items:
            for change in plan_accounts((), item.request.bank_ids).changes:
                values = service.new_account_values(
                    registrant_id=item.stored_id,
                    item=change.item,
                    bank_id=banks.bank_for(change.item).id,
                    sequence=change.sequence,
                )
                values |= {"create_date": self.now, "write_date": self.now}
                rows.append(_account_row(values))
        repository.insert_accounts(self.session, rows)

    def _merge_accounts(self, items: Sequence[BulkItem], banks: service.BankDirectory) -> None:
        # The registrants are locked already (see registrants_for_update).
        held = repository.accounts_by_registrant(self.session, [item.stored_id for item in items])
        for item in items:
            linked = service.merge_accounts(
                self.session,
                registrant_id=item.stored_id,
                existing=held[item.stored_id],
                items=item.request.bank_ids,
                banks=banks,
            )
            if any(link.created or self.session.is_modified(link.account) for link in linked):
                item.changed = True
