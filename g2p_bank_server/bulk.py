"""Bank accounts in bulk imports: the items' ``bank_ids`` merged into each individual's
accounts with the rules of single requests (``plan_accounts``, ``BankDirectory``), set-based.

Per batch: the banks of every item are found or created at once; the accounts of the existing
individuals are read in one query and merged as ``PUT /update_individual`` merges them (flushed
once with the batch); the accounts of new individuals are inserted with one executemany.
Before anything is written, the batch's numbers are checked against the shared-account policy
in one query; an item the policy refuses is rejected alone (`account_held_elsewhere`).
"""

from collections.abc import Sequence
from operator import itemgetter

from g2p_bank_server.rules import plan_accounts
from g2p_bank_server.rules.shared_accounts import held_elsewhere
from g2p_registry_server.bulk.items import BulkItem
from g2p_registry_server.bulk.processing import BulkIndividualProcessing

from . import repository, service
from .shared import policy as shared_policy

_account_row = itemgetter(*repository.ACCOUNT_COLUMNS)


class BankBulkIndividualProcessing(BulkIndividualProcessing, extends=BulkIndividualProcessing):
    def check_items(self, items: Sequence[BulkItem]) -> None:
        super().check_items(items)
        with_accounts = [item for item in items if item.accepted and getattr(item.request, "bank_ids", None)]
        claims = [
            shared_policy.Claim(
                item.registrant_id,
                item.request.bank_ids,
                shared_policy.item_locations(("bank_ids",), len(item.request.bank_ids)),
            )
            for item in with_accounts
        ]
        for refusal in shared_policy.refusals(self.session, claims):
            error = held_elsewhere()
            with_accounts[refusal.claim].reject(refusal.location, error.message(), error.type)

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
