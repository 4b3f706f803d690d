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

from .. import transaction_locks
from ..rules import BankKey, clean_bank_name

__all__ = [
    "clean_bank_name",
    "find_banks",
    "lock_bank_keys",
    "retry_if_banks_created_meanwhile",
]

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
