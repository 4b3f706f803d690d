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
from typing import Any

from g2p_bank_server.rules import carries_bank_details, plan_accounts
from g2p_bank_server.rules.bulk import BulkItem, ItemResult
from g2p_bank_server.rules.shared_accounts import held_elsewhere
from g2p_registry_server.bulk.processing import BulkIndividualProcessing

from . import audit_trail, repository, service
from .shared import policy as shared_policy
from .visibility import require_bank_write

_account_row = itemgetter("id", *repository.ACCOUNT_COLUMNS)


class BankBulkIndividualProcessing(BulkIndividualProcessing, extends=BulkIndividualProcessing):
    def import_items(self, raw_items: Sequence[Any]) -> list[ItemResult]:
        # Refused whole, before any item is read or written: one item carrying accounts is enough.
        if carries_bank_details(raw_items):
            require_bank_write(self.scopes, needed_for="bank_ids in a request")
        return super().import_items(raw_items)

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
        plans = [(item, plan_accounts((), item.request.bank_ids).changes) for item in items]
        # Ids drawn beforehand: the audit trail names each new account, and one executemany
        # (COPY) reads nothing back.
        ids = iter(repository.allocate_account_ids(self.session, sum(len(changes) for _, changes in plans)))
        trail = audit_trail.trail_of(self.session)
        rows = []
        for item, changes in plans:
            accounts = []
            for change in changes:
                values = service.new_account_values(
                    registrant_id=item.stored_id, change=change, bank_id=banks.bank_for(change.item).id
                )
                values |= {"id": next(ids), "create_date": self.now, "write_date": self.now}
                rows.append(_account_row(values))
                accounts.append(
                    audit_trail.AccountSnapshot(
                        values["id"],
                        values["acc_number"],
                        values["bank_id"],
                        values["acc_holder_name"],
                        values["sequence"],
                        True,
                    )
                )
            trail.touch(item.stored_id, ())
            trail.changed(item.stored_id, accounts)
        repository.insert_accounts(self.session, rows)

    def _merge_accounts(self, items: Sequence[BulkItem], banks: service.BankDirectory) -> None:
        # The registrants are locked already (see registrants_for_update).
        held = repository.accounts_by_registrant(self.session, [item.stored_id for item in items])
        trail = audit_trail.trail_of(self.session)
        for item in items:
            existing = held[item.stored_id]
            trail.touch(item.stored_id, existing)
            linked = service.merge_accounts(
                self.session,
                registrant_id=item.stored_id,
                existing=existing,
                items=item.request.bank_ids,
                banks=banks,
            )
            # New accounts are ORM objects here: the trail reads their ids once they are flushed.
            added = [link.account for link in linked if link.created and link.account is not None]
            trail.changed(item.stored_id, [*existing, *added])
            if any(link.created or self.session.is_modified(link.account) for link in linked):
                item.changed = True
