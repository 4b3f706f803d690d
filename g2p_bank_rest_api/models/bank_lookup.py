"""Finding the banks a request names, in one query, and creating new ones only once.

Odoo runs every request in a REPEATABLE READ transaction, so a transaction that waited for
another one to create a bank still cannot see that bank: its snapshot is older. Without a
unique index (existing databases may already hold duplicate banks, which such an index would
reject), exactly-once creation therefore takes three steps:

1. a transaction-scoped advisory lock per bank key, so that creators of one bank queue up;
2. once the lock is held, a look through a *new* transaction, whose snapshot is younger than
   the lock, for a bank that another transaction committed meanwhile;
3. if there is one, a serialization failure when the transaction is about to commit: Odoo's
   request retry loop rolls back and runs the request again in a new transaction, which then
   finds that bank in its first query.

(The tools of each step, shared with the other checks: ``transaction_locks``.)

The failure is raised by a pre-commit hook rather than on the spot because the registry's
update route turns every exception inside it into a 400 answer; the hook runs after the
route has returned, where Odoo's retry loop sees the failure. Until then the request goes on
with a bank of its own, which the rollback removes.

Accounts need the same care, and have a row to lock: merging into a registrant first locks
its ``res_partner`` row. Every merge that writes also updates that row, so a request that waited
for the lock, or whose snapshot predates another request's merge, gets PostgreSQL's
serialization failure there: at once where nothing swallows it, or, from the registry's own
processing, noted for the pre-commit hook while the merge is skipped. Without it, two requests
adding one account both insert it and the second fails on the unique account number.
"""

import logging

from .. import audit_trail, transaction_locks
from ..rules import BankKey, clean_bank_name

__all__ = ["BankDirectory", "find_banks", "lock_bank_keys", "retry_if_banks_created_meanwhile"]

_logger = logging.getLogger(__name__)

_LOCK_NAMESPACE = "g2p_bank_rest_api.res_bank:"

_FIND_BANKS = r"""
    SELECT id, name, bic
      FROM res_bank
     WHERE active
       AND (upper(regexp_replace(coalesce(bic, ''), '\s', '', 'g')) = ANY(%(bics)s)
            OR lower(btrim(regexp_replace(name, '\s+', ' ', 'g'))) = ANY(%(names)s))
  ORDER BY id
"""


def find_banks(cr, items_by_key):
    """Return {BankKey: bank id} for the keys a known active bank matches (lowest id wins)."""
    bics = [key.value for key in items_by_key if key.kind == "bic"]
    names = [" ".join(item.bank_name.split()).lower() for key, item in items_by_key.items() if not item.bic]
    cr.execute(_FIND_BANKS, {"bics": bics, "names": names})
    found = {}
    for bank_id, name, bic in cr.fetchall():
        # SQL narrows the candidates; the shared rule decides (casefold is not SQL lower()).
        candidates = [BankKey.of_name(name or "")]
        if bic:
            candidates.append(BankKey("bic", "".join(bic.split()).upper()))
        for key in candidates:
            if key in items_by_key:
                found.setdefault(key, bank_id)
    return found


def lock_bank_keys(cr, keys):
    """Hold, until the transaction ends, the creation lock of every bank key in ``keys``."""
    transaction_locks.hold_locks(cr, _LOCK_NAMESPACE, [key.text for key in keys])


def retry_if_banks_created_meanwhile(env, items_by_key):
    """Make Odoo retry the request if a bank of ``items_by_key`` (keys missing from this
    transaction's snapshot) was committed meanwhile.

    Call it while holding the keys' locks: the new transaction's snapshot then includes every
    bank committed by an earlier holder of the same lock.
    """
    if transaction_locks.committed_now(env, lambda cr: find_banks(cr, items_by_key)):
        transaction_locks.retry_at_commit(env.cr)


class BankDirectory:
    """The banks one transaction names, found or created and remembered: the counterpart of the
    standalone server's ``BankDirectory``, owned by the registry request (``request_banks``)
    or made for one call outside a request.

    ``named`` ({BankKey: item with bank_name and bic}) are the banks a request names anywhere
    in its body: the first lookup reads them all in one query, and the first creation takes the
    locks of every one nobody has and checks them at once. A bank is still only created when an
    item being merged needs it: a rejected item leaves none behind.
    """

    def __init__(self, named=None):
        self.named = dict(named or {})
        self.known = {}  # {BankKey: bank id}, found or created in this transaction
        self.looked_up = set()  # keys looked up in this transaction, found or not
        self.locked = set()  # keys whose creation lock this transaction holds

    def banks_for(self, env, items, registrant=None):
        """{BankKey: res.bank} for every item, creating the banks nobody has yet."""
        first_item_of = {}
        for item in items:
            first_item_of.setdefault(item.bank_key, item)
        unknown = {key: item for key, item in first_item_of.items() if key not in self.looked_up}
        if unknown:
            wanted = {**self._named_not_looked_up(), **unknown}
            env["res.bank"].flush_model(["name", "bic", "active"])
            self.known.update(find_banks(env.cr, wanted))
            self.looked_up.update(wanted)
        missing = {key: first_item_of[key] for key in sorted(first_item_of) if key not in self.known}
        if missing:
            created = self._create(env, missing, registrant)
            self.known.update(created)
            # A bank created for a BIC is also the one its name matches, unless an older bank
            # of that name was found: later registrants naming it without a BIC get it.
            for key, item in missing.items():
                if item.bic:
                    name_key = BankKey.of_name(item.bank_name)
                    if name_key in self.looked_up:
                        self.known.setdefault(name_key, created[key])
        Bank = env["res.bank"]
        return {key: Bank.browse(self.known[key]) for key in first_item_of}

    def _named_not_looked_up(self):
        return {key: bank for key, bank in self.named.items() if key not in self.looked_up}

    def _named_not_known(self):
        """The named banks that were looked up and not found, nor created yet."""
        return {
            key: bank for key, bank in self.named.items() if key in self.looked_up and key not in self.known
        }

    def _create(self, env, missing_items, registrant):
        """Create the banks of ``missing_items`` ({BankKey: item}); return {BankKey: bank id}.

        Under a transaction lock per key, so that two workers naming the same new bank at once
        create it only once (see the module's docstring)."""
        missing = sorted(missing_items)
        unlocked = {
            key: item
            for key, item in {**self._named_not_known(), **missing_items}.items()
            if key not in self.locked
        }
        if unlocked:
            lock_bank_keys(env.cr, unlocked)
            retry_if_banks_created_meanwhile(env, unlocked)
            self.locked.update(unlocked)
        # A bank this transaction creates for a BIC also serves the items naming it without one.
        by_name = {BankKey.of_name(item.bank_name): key for key, item in missing_items.items() if item.bic}
        same_as = {key: by_name[key] for key in missing if key in by_name}
        to_create = [key for key in missing if key not in same_as]
        created = env["res.bank"].create(
            [
                {
                    "name": clean_bank_name(missing_items[key].bank_name),
                    "bic": missing_items[key].bic or False,
                }
                for key in to_create
            ]
        )
        _logger.info("Created %d bank(s) named in registry requests: ids %s", len(created), created.ids)
        audit_trail.record_bank_created(env, created, registrant)
        ids = dict(zip(to_create, created.ids, strict=True))
        ids.update({key: ids[bic_key] for key, bic_key in same_as.items()})
        return ids
