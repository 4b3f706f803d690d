"""Locks held until the transaction ends, what other transactions committed meanwhile, and
asking Odoo to run a request again: the addon's one set of tools against concurrent requests.

Odoo runs each request in a REPEATABLE READ transaction whose snapshot is taken at its first
query. Two requests that would create the same thing (a bank, an ID value, one account number
on two registrants) therefore both see it missing. The pattern used everywhere:

1. hold a transaction-scoped advisory lock per key (``hold_locks``; sorted, so that two
   requests never wait for each other crosswise);
2. look again through a new transaction (``committed_now``), whose snapshot, taken while the
   locks are held, includes what an earlier holder of the same locks committed;
3. if something appeared, make Odoo run the request again (``retry_now`` or
   ``retry_at_commit``): PostgreSQL's serialization failure, which Odoo retries silently.

In Odoo's test mode every request shares the test's transaction: the "new transaction" is then
that same transaction, and sees exactly what this one sees, so nothing ever appears in step 2.
No code here asks whether it runs in a test.
"""

import functools
import hashlib

import psycopg2

_HOLD_LOCKS = "SELECT count(pg_advisory_xact_lock(key)) FROM unnest(%s::bigint[]) AS key"
_RETRY_FLAG = "g2p_bank_rest_api.retry_request"
_RETRY_REQUEST = """
    DO $$ BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'serialization_failure',
            MESSAGE = 'A concurrent request changed what this one relies on: try again.';
    END $$
"""
_LOCK_REGISTRANT = "SELECT 1 FROM res_partner WHERE id = %s FOR NO KEY UPDATE"
_LOCK_PARTNERS = "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR UPDATE"


def lock_id(namespace, text):
    """The advisory lock number of ``text`` in ``namespace`` (64 bits of a keyed digest)."""
    digest = hashlib.blake2b(f"{namespace}{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold_locks(cr, namespace, texts):
    """Hold, until the transaction ends, the lock of every text (in lock-number order)."""
    cr.execute(_HOLD_LOCKS, [sorted({lock_id(namespace, text) for text in texts})])


def committed_now(env, read):
    """``read(cursor)`` through a new transaction: what is committed now (under locks this
    transaction holds, including what their earlier holders committed)."""
    with env.registry.cursor() as fresh_cr:
        return read(fresh_cr)


def retry_now(cr):
    """Make Odoo run the request again, at once."""
    cr.execute(_RETRY_REQUEST, log_exceptions=False)


def retry_at_commit(cr):
    """Make Odoo run the request again when it commits (for code inside routes that turn
    exceptions into answers)."""
    if not cr.precommit.data.get(_RETRY_FLAG):
        cr.precommit.data[_RETRY_FLAG] = True
        cr.precommit.add(functools.partial(retry_now, cr))


def lock_registrant(env, registrant_id, defer_retry=False):
    """Hold the registrant's row lock until the transaction ends; return False if this
    transaction cannot merge into it because another one changed it meanwhile.

    Without ``defer_retry`` that case raises PostgreSQL's serialization failure, which Odoo
    answers by running the request again. With it, the failure is kept for the pre-commit hook
    (``retry_at_commit``) and False is returned: the caller must then write nothing for it.
    """
    if not defer_retry:
        env.cr.execute(_LOCK_REGISTRANT, [registrant_id], log_exceptions=False)
        return True
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(_LOCK_REGISTRANT, [registrant_id], log_exceptions=False)
    except psycopg2.errors.TransactionRollbackError:  # serialization failure or deadlock
        retry_at_commit(env.cr)
        return False
    return True


def lock_partners(env, partner_ids):
    """Row locks of these partners, in id order. A row changed by a transaction committed after
    this one's snapshot fails with a serialization error: Odoo runs the request again."""
    env.cr.execute(_LOCK_PARTNERS, [sorted(partner_ids)], log_exceptions=False)
