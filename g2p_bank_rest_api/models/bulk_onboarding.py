"""Bulk onboarding of individuals (`POST /bulk/individual`): many items in one transaction, each
created, updated, left unchanged or rejected on its own, with the rules of the single routes.

Items are matched by the value of their ID of the request's ID type: a value nobody holds
creates an individual, a value an individual holds updates it with the merge of
`PUT /update_individual`. An item that would change nothing writes nothing, so the same
request sent twice answers `unchanged` the second time. The work is set-based where Odoo lets
it be: reference data and ID holders are read with one query per request, new individuals are
created with one multi-record `create()`, banks are found or created once for all items; bank
accounts are merged per individual by `g2p.bank.account.service`.
"""

import logging

import psycopg2

from odoo import _, api, models
from odoo.exceptions import UserError

from .. import shared_account_policy
from ..rules.bulk import accepted, validate_items
from ..rules.shared_accounts import ACCOUNT_HELD_ELSEWHERE, held_elsewhere, refuses
from .bulk_matching import check_references, match_items
from .bulk_values import accounts_would_change, individual_changes, new_individual_values

_logger = logging.getLogger(__name__)

# What storing an item may raise that is the item's fault, not the request's: the item is then
# rejected. Concurrency errors (psycopg2.OperationalError) are not caught: Odoo retries the request.
_ITEM_FAILURES = (UserError, ValueError, psycopg2.IntegrityError, psycopg2.DataError)


class BulkIndividualService(models.AbstractModel):
    _name = "g2p.bulk.individual.service"
    _description = "Bulk onboarding of individuals through the registry API"

    @api.model
    def import_items(self, raw_items, id_type_name, request_class):
        """Create or update an individual per element of ``raw_items``; return one result each.

        ``request_class`` validates an element (the registry's assembled IndividualInfoRequest).
        Raises UserError (HTTP 400) for an unknown ``id_type_name``, before anything is written.
        """
        reference = self._reference_data()
        match_type = reference["id_types"].get(id_type_name)
        if match_type is None:
            raise UserError(_("Invalid ID field. ID type - %s is not present in the database.", id_type_name))
        items = validate_items(raw_items, request_class)
        check_references(self.env, accepted(items), reference, match_type)
        match_items(self.env, accepted(items), match_type)
        self._check_shared_accounts(accepted(items))
        todo = accepted(items)
        try:
            with self.env.cr.savepoint():
                self._write_items(todo, reference)
        except _ITEM_FAILURES:
            # Some item cannot be stored although it passed every check: store the items one by
            # one, so that only the failing ones are rejected.
            _logger.warning("Bulk import: a batch write failed; storing its items one by one")
            self._write_items_one_by_one(todo, reference)
        self._log_summary(items, id_type_name)
        return [item.result() for item in items]

    @api.model
    def _check_shared_accounts(self, items):
        """Reject the items whose accounts the shared-account policy refuses (one query, under
        the numbers' locks, for every item; only under a blocking policy).

        An earlier accepted item of the batch giving the same number to another individual
        counts as another holder.
        """
        policy = shared_account_policy.policy(self.env)
        if policy not in shared_account_policy.BLOCKING:
            return
        held = self._active_numbers([item.registrant.id for item in items if item.registrant is not None])
        wanted = {}
        for item in items:
            registrant_id = item.registrant.id if item.registrant is not None else 0
            for index, account in enumerate(item.request.bank_ids or ()):
                if account.normalized_number not in held.get(registrant_id, ()):
                    wanted.setdefault(item, []).append((index, registrant_id, account.normalized_number))
        pairs = {(registrant_id, number) for given in wanted.values() for _, registrant_id, number in given}
        if not pairs:
            return
        shared_account_policy.lock_numbers(self.env.cr, {number for _, number in pairs})
        holders = shared_account_policy.other_holders(self.env, pairs)
        in_batch = {}  # {number: registrant keys of earlier accepted items giving it}
        for item, given in wanted.items():
            key = item.registrant.id if item.registrant is not None else ("new", item.index)
            refused = [
                index
                for index, registrant_id, number in given
                if refuses(
                    policy,
                    [
                        *holders.get((registrant_id, number), ()),
                        *(
                            shared_account_policy.OtherHolder(0, False)
                            for other in in_batch.get(number, ())
                            if other != key
                        ),
                    ],
                )
            ]
            for index in refused:
                item.reject(
                    ["bank_ids", index, "acc_number"], held_elsewhere().message(), ACCOUNT_HELD_ELSEWHERE
                )
            if not refused:
                for _, _, number in given:
                    in_batch.setdefault(number, set()).add(key)

    @api.model
    def _active_numbers(self, partner_ids):
        return {
            partner_id: {account.sanitized_acc_number for account in accounts if account.active}
            for partner_id, accounts in self._accounts_of(partner_ids).items()
        }

    @api.model
    def _reference_data(self):
        """ID types by name and gender values by code: small tables, read once per request."""
        id_types = self.env["g2p.id.type"].search_read([], ["name", "id_validation"])
        id_types = {record["name"]: record for record in id_types}
        genders = {
            record["code"]: record["value"]
            for record in self.env["gender.type"].search_read([("active", "=", True)], ["code", "value"])
        }
        return {"id_types": id_types, "genders": genders}

    # Writing -------------------------------------------------------------------------------

    @api.model
    def _write_items(self, items, reference):
        genders = reference["genders"]
        service = self.env["g2p.bank.account.service"]
        bank_items = [account for item in items for account in item.request.bank_ids or ()]
        # Every bank of the request, found or created at once (one lock set, in one order).
        banks = service._find_or_create_banks(bank_items) if bank_items else {}
        updates = [item for item in items if item.registrant is not None]
        creates = [item for item in items if item.registrant is None]
        held_accounts = self._accounts_of([item.registrant.id for item in updates])
        for item in updates:
            gender_value = genders.get(item.request.gender)
            values = individual_changes(item.registrant, item.request, item.id_type_ids, gender_value)
            if values:
                item.registrant.write(values)
                item.changed = True
            accounts = held_accounts.get(item.registrant.id, [])
            if item.request.bank_ids and accounts_would_change(accounts, item.request.bank_ids, banks):
                service.merge_items(item.registrant, item.request.bank_ids, check_policy=False)
                item.changed = True
        if creates:
            # Like Odoo's own imports: no "created" note and no follower per new individual,
            # which would double the cost of a batch; later changes are tracked as usual.
            partner_model = self.env["res.partner"].with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True
            )
            partners = partner_model.create(
                [
                    new_individual_values(item.request, item.id_type_ids, genders.get(item.request.gender))
                    for item in creates
                ]
            )
            for item, partner in zip(creates, partners, strict=True):
                partner = partner.with_env(self.env)
                item.registrant_id, item.registrant = partner.id, partner
                item.created = item.changed = True
                if item.request.bank_ids:
                    service.merge_items(partner, item.request.bank_ids, check_policy=False)
        self.env.flush_all()

    @api.model
    def _write_items_one_by_one(self, items, reference):
        for item in items:
            if item.created:
                item.registrant_id = item.registrant = None
            item.created = item.changed = False
        for item in items:
            try:
                with self.env.cr.savepoint():
                    self._write_items([item], reference)
            except _ITEM_FAILURES as error:
                if item.created:
                    item.registrant_id = item.registrant = None
                item.created = item.changed = False
                item.reject([], self._failure_message(error), "not_stored")

    @api.model
    def _failure_message(self, error):
        if isinstance(error, UserError):
            return str(error.args[0])
        # Database messages may quote the values sent: only the kind of failure is told.
        _logger.warning("Bulk import: an item was refused by the database (%s)", type(error).__name__)
        return _("The item could not be stored: the database refused it (%s).", type(error).__name__)

    @api.model
    def _accounts_of(self, partner_ids):
        """Every account (archived included) of each partner, in (sequence, id) order."""
        if not partner_ids:
            return {}
        accounts = (
            self.env["res.partner.bank"]
            .with_context(active_test=False)
            .search([("partner_id", "in", partner_ids)], order="sequence, id")
        )
        by_partner = {}
        for account in accounts:
            by_partner.setdefault(account.partner_id.id, []).append(account)
        return by_partner

    @api.model
    def _log_summary(self, items, id_type_name):
        counts = {}
        for item in items:
            status = item.result()["status"]
            counts[status] = counts.get(status, 0) + 1
        _logger.info(
            "Bulk import by %s: %d created, %d updated, %d unchanged, %d rejected",
            id_type_name,
            counts.get("created", 0),
            counts.get("updated", 0),
            counts.get("unchanged", 0),
            counts.get("rejected", 0),
        )
