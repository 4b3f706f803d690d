"""The bank-details use cases of the registry API: banks found or created, accounts merged.

Routers and the registry's processing call this model and nothing else touches
``res.bank``/``res.partner.bank`` on their behalf, so an addon that needs other rules
inherits this one model. What an account *is* and how items merge is decided by the
shared ``rules`` package; this model only carries those decisions out with the ORM.
"""

import logging

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from odoo import Command, _, api, models
from odoo.exceptions import ValidationError

from .. import audit_trail, request_banks, shared_account_policy, transaction_locks
from ..rules import (
    BankAccountItems,
    BankDetailsRequest,
    BankDetailsResponse,
    BankVisibility,
    ExistingAccount,
    mask_account_number,
    plan_accounts,
    visible_accounts,
)
from ..rules.shared_accounts import marks_shared, refuses

_logger = logging.getLogger(__name__)

VISIBILITY_CONTEXT_KEY = "g2p_bank_account_visibility"
"""How much of the bank accounts the caller may see (``rules.scopes.BankVisibility``'s value), in
the context of the registry API's environment (``scope_checks.caller_env``); without it, nothing."""

_ITEMS = TypeAdapter(BankAccountItems)
_SHARED_MARKS = "g2p_bank_rest_api.shared_marks"
_MAX_PREFETCHED_MARKS = 5000


def plan_for_accounts(accounts, items, replace=False):
    """The shared merge plan (``rules.plan_accounts``) of ``items`` over res.partner.bank records."""
    existing = [
        ExistingAccount(
            id=account.id,
            normalized_number=account.sanitized_acc_number,
            active=account.active,
            sequence=account.sequence,
        )
        for account in accounts
    ]
    return plan_accounts(existing, items, replace=replace)


def odoo_values(written):
    """Values of ``AccountChange.written`` as Odoo writes them (False for none)."""
    return {name: False if value is None else value for name, value in written.items()}


def stored_values(account, names):
    """The stored values of ``names`` of a res.partner.bank, as ``AccountChange.written`` gives
    them: ids for relations, None for an empty field (Odoo's False), booleans as they are."""
    values = {}
    for name in names:
        value, kind = account[name], account._fields[name].type
        if kind == "many2one":
            value = value.id
        elif value is False and kind != "boolean":
            value = None
        values[name] = value
    return values


class BankAccountService(models.AbstractModel):
    _name = "g2p.bank.account.service"
    _description = "Bank accounts of registrants, as the registry API manages them"

    # Items ------------------------------------------------------------------------------

    @api.model
    def _validated_items(self, items):
        """The items as BankDetailsRequest objects, checked like a request body would be.

        Python callers (imports, other addons) may pass plain dicts; they get the API's rules
        and an Odoo ValidationError (HTTP 400) instead of a crash.
        """
        try:
            return _ITEMS.validate_python(
                [item.model_dump() if isinstance(item, BankDetailsRequest) else item for item in items]
            )
        except PydanticValidationError as error:
            problems = "; ".join(
                f"item {'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                for problem in error.errors(include_url=False, include_input=False)
            )
            raise ValidationError(_("Invalid bank accounts: %s", problems)) from None

    # Banks ------------------------------------------------------------------------------

    @api.model
    def _find_or_create_banks(self, items, registrant=None):
        """{bank key: res.bank} for every item, creating the banks nobody has yet: the
        transaction's ``bank_lookup.BankDirectory`` (the request's, when there is one)."""
        return request_banks.directory_of(self.env.cr).banks_for(self.env, items, registrant)

    # Accounts ---------------------------------------------------------------------------

    @api.model
    def _existing_accounts(self, registrant):
        """Every account of the registrant, archived ones included, in primary-first order."""
        return (
            self.env["res.partner.bank"]
            .with_context(active_test=False)
            .search([("partner_id", "=", registrant.id)], order="sequence, id")
        )

    @api.model
    def merge_items(self, registrant, items, replace=False, defer_retry=False, check_policy=True):
        """Make ``items`` hold for the registrant's accounts; return {normalized number: (account, created)}.

        An item whose normalized number the registrant already holds (archived included)
        updates that account; a new number adds one. With ``replace``, the registrant's
        other active accounts are archived. Nothing is ever deleted.

        Concurrent merges into one registrant are serialized (see ``bank_lookup``): the later
        request runs again. With ``defer_retry`` (callers inside routes that turn exceptions
        into answers), a merge that must wait for that writes nothing and returns {}.

        Items giving the registrant a number another active registrant holds are checked
        against the shared-account policy (``AccountHeldElsewhere`` when refused) unless
        ``check_policy`` is false (the caller checked them). Every account change is noted in
        the audit trail, written with the transaction.
        """
        registrant.ensure_one()
        items = self._validated_items(items)
        if not self._lock_registrant(registrant, defer_retry):
            return {}
        existing = self._existing_accounts(registrant)
        if check_policy:
            self._check_shared_accounts(registrant, existing, items)
        before = audit_trail.account_states(existing)
        plan = plan_for_accounts(existing, items, replace=replace)
        banks = self._find_or_create_banks(items, registrant) if items else {}
        commands = [Command.update(account_id, {"active": False}) for account_id in plan.archive_ids]
        for change in plan.changes:
            values = self._account_values(change, banks[change.item.bank_key])
            if change.account_id:
                commands.append(Command.update(change.account_id, values))
            else:
                commands.append(Command.create(values))
        if commands:
            registrant.write({"bank_ids": commands})
        self._log_plan(registrant, plan)
        accounts = self._existing_accounts(registrant)
        if commands:
            audit_trail.record_accounts(self.env, registrant, before, accounts)
            self._forget_shared_marks()
        by_number = {account.sanitized_acc_number: account for account in accounts}
        return {
            change.item.normalized_number: (
                by_number[change.item.normalized_number],
                change.account_id is None,
            )
            for change in plan.changes
        }

    @api.model
    def _check_shared_accounts(self, registrant, existing, items):
        """Refuse (``AccountHeldElsewhere``) the items the shared-account policy refuses.

        Only numbers the registrant does not hold actively yet are checked, and only under a
        blocking policy, under their locks: within a registry request, from the holders of all
        the request's numbers read once (``shared_account_policy.RequestHolders``); otherwise
        (or for a number the request already gave to another of its registrants) one query
        for all of this registrant's numbers.
        """
        policy = shared_account_policy.policy(self.env)
        if policy not in shared_account_policy.BLOCKING:
            return
        held = {account.sanitized_acc_number for account in existing if account.active}
        given = [item.normalized_number for item in items if item.normalized_number not in held]
        if not given:
            return
        origin = audit_trail.origin_of(self.env)
        one_household = (origin.method, origin.route) == ("POST", "/group")
        request_holders = self.env.context.get(shared_account_policy.REQUEST_HOLDERS)
        if request_holders is not None and request_holders.covers(given):
            holders = request_holders.other_holders(self.env, registrant.id, given, one_household)
        else:
            shared_account_policy.lock_numbers(self.env.cr, given)
            holders = shared_account_policy.other_holders(
                self.env, [(registrant.id, number) for number in given], one_household=one_household
            )
        refused = [
            index
            for index, item in enumerate(items)
            if refuses(policy, holders.get((registrant.id, item.normalized_number), ()))
        ]
        if refused:
            _logger.info(
                "Registrant %s: %d bank account(s) refused, held by another registrant (policy %s)",
                registrant.id,
                len(refused),
                policy.value,
            )
            raise shared_account_policy.AccountHeldElsewhere(
                [item.normalized_number for item in items], refused, registrant.name
            )
        if request_holders is not None:
            request_holders.taken.update(given)

    @api.model
    def _lock_registrant(self, registrant, defer_retry=False):
        # A registrant created by this very transaction is nobody else's yet.
        if registrant.create_date == self.env.cr.now():
            return True
        return transaction_locks.lock_registrant(self.env, registrant.id, defer_retry=defer_retry)

    @api.model
    def _account_values(self, change, bank):
        """What the plan writes (``AccountChange.written``), as Odoo stores it: False for none.
        A holder name is stored as sent, none included: Odoo would otherwise copy the
        registrant's name into a new account, and the field means "holder, when it differs
        from the registrant"."""
        return odoo_values(change.written(bank.id))

    @api.model
    def _log_plan(self, registrant, plan):
        for change in plan.changes:
            if change.account_id is None:
                verb = "added"
            elif change.reactivate:
                verb = "reactivated"
            else:
                verb = "updated"
            _logger.info(
                "Registrant %s: bank account %s %s%s",
                registrant.id,
                mask_account_number(change.item.normalized_number),
                verb,
                " as primary" if change.sequence is not None else "",
            )
        if plan.archive_ids:
            _logger.info("Registrant %s: bank accounts %s archived", registrant.id, list(plan.archive_ids))

    # Use cases of the account sub-resource ----------------------------------------------

    @api.model
    def find_registrant(self, registrant_id):
        """The active registrant (individual or group) with that id, or an empty recordset."""
        return self.env["res.partner"].search(
            [("id", "=", registrant_id), ("is_registrant", "=", True)], limit=1
        )

    @api.model
    def active_accounts(self, registrant):
        """The registrant's accounts that answers list: active ones, primary first."""
        return self._existing_accounts(registrant).filtered("active")

    @api.model
    def add_account(self, registrant, item):
        """Add one account, or update the one with the same normalized number; return (account, created)."""
        (result,) = self.merge_items(registrant, [item]).values()
        return result

    @api.model
    def replace_accounts(self, registrant, items):
        """Make the registrant's active accounts exactly ``items``; return the active accounts."""
        self.merge_items(registrant, items, replace=True)
        return self.active_accounts(registrant)

    @api.model
    def archive_account(self, registrant, account_id):
        """Archive one active account of the registrant; return False when it has no such account."""
        self._lock_registrant(registrant)
        existing = self._existing_accounts(registrant)
        account = existing.filtered(lambda account: account.active and account.id == account_id)
        if not account:
            return False
        before = audit_trail.account_states(existing)
        # Through the registrant, whose row every merge updates (see ``bank_lookup``).
        registrant.write({"bank_ids": [Command.update(account.id, {"active": False})]})
        audit_trail.record_accounts(self.env, registrant, before, self._existing_accounts(registrant))
        self._forget_shared_marks()
        _logger.info(
            "Registrant %s: bank account %s archived",
            registrant.id,
            mask_account_number(account.sanitized_acc_number),
        )
        return True

    # Answers ----------------------------------------------------------------------------

    @api.model
    def caller_visibility(self):
        """How much of the bank accounts the caller may see (``rules.scopes.bank_visibility``)."""
        return BankVisibility(self.env.context.get(VISIBILITY_CONTEXT_KEY, BankVisibility.HIDDEN.value))

    @api.model
    def answers(self, accounts, visibility=None):
        """Accounts as answers carry them to the caller (``BankDetailsResponse``): active ones,
        primary (first in sequence, id) first, masked or not (``rules.visible_accounts``); None
        when the caller may not see them. Full numbers are recorded in the audit trail: one
        ``revealed`` event per registrant and request, in the request's transaction.

        ``accounts`` are all the accounts of one registrant, in any order, or a list of them.
        ``visibility`` is the caller's unless given.
        """
        if visibility is None:
            visibility = self.caller_visibility()
        if visibility is BankVisibility.HIDDEN:
            return None
        ordered = sorted(
            (account for account in accounts if account.active),
            key=lambda account: (account.sequence, account.id),
        )
        shared = self._shared_pairs(ordered)
        shown = [
            BankDetailsResponse(
                **self._answer(account, primary=index == 0),
                shared=(account.partner_id.id, account.sanitized_acc_number) in shared,
            )
            for index, account in enumerate(ordered)
        ]
        if visibility is BankVisibility.REVEALED and ordered:
            audit_trail.record_revealed(self.env, sorted({account.partner_id.id for account in ordered}))
        return visible_accounts(shown, visibility)

    @api.model
    def _shared_pairs(self, accounts):
        """(registrant id, number) of the accounts another active registrant holds (none under
        the ``allow`` policy).

        An answer with many registrants (a group and its members, a search) asks once: the
        accounts read together with these ones (Odoo's prefetch set) are checked in the same
        query, and what it found serves the later registrants of the answer until the next
        change of accounts in the transaction.
        """
        if not accounts or not marks_shared(shared_account_policy.policy(self.env)):
            return set()
        known = self.env.cr.precommit.data.setdefault(_SHARED_MARKS, {})
        wanted = {(account.partner_id.id, account.sanitized_acc_number) for account in accounts}
        missing = wanted - known.keys()
        if missing:
            siblings = self.env["res.partner.bank"].browse(accounts[0]._prefetch_ids)
            if len(siblings) <= _MAX_PREFETCHED_MARKS:
                missing |= {
                    (account.partner_id.id, account.sanitized_acc_number)
                    for account in siblings
                    if account.active and account.sanitized_acc_number
                } - known.keys()
            self.env["res.partner.bank"].flush_model(["sanitized_acc_number", "active", "partner_id"])
            shared = shared_account_policy.shared_pairs(self.env.cr, missing)
            known.update({pair: pair in shared for pair in missing})
        return {pair for pair in wanted if known[pair]}

    @api.model
    def _forget_shared_marks(self):
        self.env.cr.precommit.data.pop(_SHARED_MARKS, None)

    @api.model
    def _answer(self, account, primary):
        return {
            "id": account.id,
            "bank_name": account.bank_id.name or None,
            "bic": account.bank_id.bic or None,
            "acc_number": account.acc_number,
            "acc_holder_name": account.acc_holder_name or None,
            "primary": primary,
        }
