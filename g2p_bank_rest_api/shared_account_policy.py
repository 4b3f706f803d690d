"""The same account number on several registrants (contract section 7), in Odoo.

The policy is the system parameter ``g2p_bank_rest_api.shared_account_policy`` (Registry
settings); ``rules.shared_accounts`` decides what it means. This module holds the queries:

- ``RequestHolders``: the holders of every number a registry request's body names, read
  once per request, at its first check, under the locks of all those numbers (the standalone
  server checks a request's claims once in the same way): each later registrant of the
  request (the members of ``POST /group``, the updates of ``PUT /update_individual``) is
  checked against them without a query. A number the request itself has already given to one
  of its registrants is looked up again (``other_holders``), since that holder is newer than
  the read;
- ``other_holders``: for (registrant, number) pairs, the other active registrants holding
  each number and whether they share a group with the registrant, in one query however many
  pairs a request has (``res_partner_bank`` is searched by ``sanitized_acc_number``, the
  leading column of Odoo's unique index on (number, partner));
- ``lock_numbers``: under a blocking policy, a transaction lock per number taken before the
  check, so that two requests giving one new number to two registrants queue up; the second
  then checks again through a new cursor, whose snapshot includes what the first committed;
- ``shared_pairs``: which accounts of an answer another active registrant holds;
- ``shared_accounts_page``: the report of numbers held by several active registrants.

A refused item raises ``AccountHeldElsewhere``; the registry app answers it with a 422
(type ``account_held_elsewhere``) located at the item, naming no other registrant.
"""

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError

from odoo.exceptions import ValidationError

from . import transaction_locks
from .rules import normalize_account_number
from .rules.shared_accounts import (
    ACCOUNT_HELD_ELSEWHERE,
    DEFAULT_POLICY,
    OtherHolder,
    SharedAccountPolicy,
    held_elsewhere,
    parse_policy,
)

_logger = logging.getLogger(__name__)

POLICY_PARAMETER = "g2p_bank_rest_api.shared_account_policy"
BLOCKING = (SharedAccountPolicy.BLOCK, SharedAccountPolicy.BLOCK_OUTSIDE_GROUP)
ITEM_PATHS = "bank_item_paths"
"""Key of the request state holding where the body's bank-account items are (``item_paths``)."""

# A membership counts while it is not ended (the registry's own notion of an active member).
_OTHER_HOLDERS = """
    WITH wanted(registrant_id, number) AS (
        SELECT * FROM unnest(%(registrants)s::integer[], %(numbers)s::varchar[])
    )
    SELECT DISTINCT w.registrant_id, w.number, b.partner_id,
           EXISTS (
               SELECT 1 FROM g2p_group_membership m
                WHERE NOT coalesce(m.is_ended, false)
                  AND ((m."group" = b.partner_id AND m.individual = w.registrant_id)
                    OR (m.individual = b.partner_id AND m."group" = w.registrant_id)
                    OR (m.individual = b.partner_id AND m."group" IN (
                            SELECT m2."group" FROM g2p_group_membership m2
                             WHERE m2.individual = w.registrant_id
                               AND NOT coalesce(m2.is_ended, false))))
           ) AS shares_group,
           p.create_date = %(now)s AS created_by_this_transaction
      FROM wanted w
      JOIN res_partner_bank b
        ON b.sanitized_acc_number = w.number AND b.active AND b.partner_id <> w.registrant_id
      JOIN res_partner p ON p.id = b.partner_id AND p.active AND p.is_registrant
"""

_SHARED_PAIRS = """
    WITH wanted(registrant_id, number) AS (
        SELECT * FROM unnest(%(registrants)s::integer[], %(numbers)s::varchar[])
    )
    SELECT DISTINCT w.registrant_id, w.number
      FROM wanted w
      JOIN res_partner_bank b
        ON b.sanitized_acc_number = w.number AND b.active AND b.partner_id <> w.registrant_id
      JOIN res_partner p ON p.id = b.partner_id AND p.active AND p.is_registrant
"""

_SHARED_NUMBERS_PAGE = """
    SELECT min(b.id) AS key, b.sanitized_acc_number, array_agg(DISTINCT b.partner_id ORDER BY b.partner_id)
      FROM res_partner_bank b
      JOIN res_partner p ON p.id = b.partner_id AND p.active AND p.is_registrant
     WHERE b.active AND b.sanitized_acc_number IS NOT NULL
  GROUP BY b.sanitized_acc_number
    HAVING count(DISTINCT b.partner_id) > 1 AND min(b.id) > %(after)s
  ORDER BY key
     LIMIT %(limit)s
"""

# Every active holder of the numbers, with the registrants it shares a group with: its groups,
# its members (a group) and the other members of its groups.
_HOLDERS_OF_NUMBERS = """
    SELECT b.sanitized_acc_number, b.partner_id,
           ARRAY(
               SELECT m."group" FROM g2p_group_membership m
                WHERE m.individual = b.partner_id AND NOT coalesce(m.is_ended, false)
               UNION
               SELECT m.individual FROM g2p_group_membership m
                WHERE m."group" = b.partner_id AND NOT coalesce(m.is_ended, false)
               UNION
               SELECT m2.individual FROM g2p_group_membership m
                 JOIN g2p_group_membership m2 ON m2."group" = m."group" AND NOT coalesce(m2.is_ended, false)
                WHERE m.individual = b.partner_id AND NOT coalesce(m.is_ended, false)
           ) AS related,
           p.create_date = %(now)s AS created_by_this_transaction
      FROM res_partner_bank b
      JOIN res_partner p ON p.id = b.partner_id AND p.active AND p.is_registrant
     WHERE b.sanitized_acc_number = ANY(%(numbers)s) AND b.active
"""

_MEMBERSHIPS_OF = """
    SELECT m.individual, m."group" FROM g2p_group_membership m
     WHERE NOT coalesce(m.is_ended, false) AND (m.individual = ANY(%(ids)s) OR m."group" = ANY(%(ids)s))
"""

_LOCK_NAMESPACE = "g2p_bank_rest_api.acc_number:"


class AccountHeldElsewhere(ValidationError):
    """Items of one merge that the shared-account policy refuses.

    ``numbers`` are the normalized numbers of the merge's items in their order, ``refused``
    the positions of the refused ones, ``registrant_name`` the name of the registrant being
    written (to tell apart, in a body, registrants sending the same numbers). The message
    names no other registrant.
    """

    def __init__(self, numbers, refused, registrant_name=None):
        self.numbers = list(numbers)
        self.refused = list(refused)
        self.registrant_name = registrant_name
        super().__init__(str(held_elsewhere()))


def policy(env):
    """The shared-account policy of this database (the default when unset or unknown)."""
    text = env["ir.config_parameter"].sudo().get_param(POLICY_PARAMETER) or None
    try:
        return parse_policy(text)
    except ValueError:
        _logger.warning("Unknown shared-account policy in %s; using %s", POLICY_PARAMETER, DEFAULT_POLICY)
        return DEFAULT_POLICY


def lock_numbers(cr, numbers):
    """Hold, until the transaction ends, the lock of every number (``transaction_locks``)."""
    transaction_locks.hold_locks(cr, _LOCK_NAMESPACE, numbers)


def _holders(cr, pairs, one_household=False):
    cr.execute(
        _OTHER_HOLDERS,
        {
            "registrants": [registrant for registrant, _ in pairs],
            "numbers": [number for _, number in pairs],
            # Odoo stamps what a transaction creates with the cursor's own time (in tests not
            # the database's now()).
            "now": cr.now(),
        },
    )
    found: dict[tuple[int, str], dict[int, OtherHolder]] = {}
    for registrant_id, number, holder_id, shares_group, created_here in cr.fetchall():
        shares_group = shares_group or (one_household and created_here)
        found.setdefault((registrant_id, number), {})[holder_id] = OtherHolder(holder_id, shares_group)
    return found


def other_holders(env, pairs, one_household=False):
    """{(registrant id, number): [OtherHolder]} for (registrant id, normalized number) pairs.

    A registrant not stored yet is id 0. With ``one_household`` (``POST /group``: the group and
    its members, created together, are one household before their memberships are stored), the
    registrants this transaction created count as sharing a group.

    Call it holding the numbers' locks (``lock_numbers``): the holders a concurrent request
    committed after this transaction's snapshot are found through a new transaction too.
    """
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    env["res.partner.bank"].flush_model(["sanitized_acc_number", "active", "partner_id"])
    found = _holders(env.cr, pairs, one_household)
    for key, holders in transaction_locks.committed_now(env, lambda cr: _holders(cr, pairs)).items():
        for holder_id, holder in holders.items():
            found.setdefault(key, {}).setdefault(holder_id, holder)
    return {key: list(holders.values()) for key, holders in found.items()}


REQUEST_HOLDERS = "g2p_bank_rest_api_request_holders"
"""Key of the registry request's ``RequestHolders`` in its environment's context."""


class RequestHolders:
    """The active holders of the numbers one registry request names, read once (see the
    module's doc). Lives in the request environment's context, so compared by identity."""

    def __init__(self, numbers):
        self.numbers = frozenset(number for number in numbers if number)
        self.taken = set()
        """Numbers this request has given to one of its registrants so far."""
        self.reads = 0
        self._found = None  # {number: {holder id: (ids it shares a group with, created here)}}

    def covers(self, numbers):
        """Whether the holders of ``numbers`` are known without a new query."""
        return set(numbers) <= self.numbers and not self.taken & set(numbers)

    def other_holders(self, env, registrant_id, numbers, one_household=False):
        """Like ``other_holders`` for one registrant's ``numbers`` (``covers`` them): from the
        request's one read, made (under the locks of all its numbers) at its first call."""
        if self._found is None:
            lock_numbers(env.cr, self.numbers)
            self._found = self._read(env)
        answer = {}
        for number in numbers:
            holders = [
                OtherHolder(holder_id, registrant_id in related or (one_household and created_here))
                for holder_id, (related, created_here) in self._found.get(number, {}).items()
                if holder_id != registrant_id
            ]
            if holders:
                answer[(registrant_id, number)] = holders
        return answer

    def _read(self, env):
        env["res.partner.bank"].flush_model(["sanitized_acc_number", "active", "partner_id"])
        self.reads += 1
        found = _holders_of_numbers(env.cr, self.numbers)
        # What a concurrent request committed after this transaction's snapshot (see
        # ``other_holders``): such a holder is not this transaction's.
        committed = transaction_locks.committed_now(env, lambda cr: _holders_of_numbers(cr, self.numbers))
        for number, holders in committed.items():
            for holder_id, (related, _created_here) in holders.items():
                found.setdefault(number, {}).setdefault(holder_id, (related, False))
        return found


def _holders_of_numbers(cr, numbers):
    if not numbers:
        return {}
    cr.execute(_HOLDERS_OF_NUMBERS, {"numbers": sorted(numbers), "now": cr.now()})
    found: dict[str, dict[int, tuple[frozenset[int], bool]]] = {}
    for number, holder_id, related, created_here in cr.fetchall():
        found.setdefault(number, {})[holder_id] = (frozenset(related), bool(created_here))
    return found


def shared_pairs(cr, pairs):
    """The (registrant id, number) pairs whose number another active registrant holds."""
    pairs = sorted(set(pairs))
    if not pairs:
        return set()
    cr.execute(
        _SHARED_PAIRS,
        {"registrants": [registrant for registrant, _ in pairs], "numbers": [number for _, number in pairs]},
    )
    return {(registrant_id, number) for registrant_id, number in cr.fetchall()}


def shared_accounts_page(cr, after, limit):
    """[(key, normalized number, [holder ids])] of numbers held by several active registrants."""
    cr.execute(_SHARED_NUMBERS_PAGE, {"after": after, "limit": limit})
    return cr.fetchall()


def groups_of(cr, registrant_ids):
    """{registrant id: set of the group ids it is an active member of, and its members}."""
    related: dict[int, set[int]] = {registrant_id: set() for registrant_id in registrant_ids}
    if not registrant_ids:
        return related
    cr.execute(_MEMBERSHIPS_OF, {"ids": list(registrant_ids)})
    for individual, group in cr.fetchall():
        related.setdefault(individual, set()).add(group)
        related.setdefault(group, set()).add(individual)
    return related


def share_a_group(related, first, second):
    """Whether two registrants share a group, from ``groups_of`` (each maps to groups and members)."""
    mine, theirs = related.get(first, set()), related.get(second, set())
    return second in mine or first in theirs or bool(mine & theirs)


# Where a refused item is in the request body ------------------------------------------------


def item_paths(body):
    """[(path, [normalized numbers], name)] of every ``bank_ids`` list in a request body, with the
    name of the registrant sending it, in body order."""
    found = []
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), body)]
    while pending:
        path, node = pending.pop(0)
        if isinstance(node, list):
            pending.extend(((*path, index), value) for index, value in enumerate(node))
        elif isinstance(node, dict):
            items = node.get("bank_ids")
            if isinstance(items, list):
                found.append((path, [_number_of(item) for item in items], node.get("name")))
            pending.extend(((*path, key), value) for key, value in node.items() if key != "bank_ids")
    return found


def _number_of(item):
    number = item.get("acc_number") if isinstance(item, dict) else None
    return normalize_account_number(number.strip()) if isinstance(number, str) else None


def refusal_error(refusal, paths=None, prefix=("body", "bank_ids"), single=False):
    """The 422 of a refusal: each refused item located in the body (``paths`` from
    ``item_paths``; else under ``prefix``; ``single``: the body is the one item)."""
    candidates = [(path, name) for path, numbers, name in paths or () if numbers == refusal.numbers]
    named = [path for path, name in candidates if name and name == refusal.registrant_name]
    located = named or [path for path, _ in candidates]
    base = ("body", *located[0], "bank_ids") if located else prefix
    error = held_elsewhere()
    return RequestValidationError(
        [
            {
                "loc": (*base, "acc_number") if single else (*base, index, "acc_number"),
                "msg": error.message(),
                "type": ACCOUNT_HELD_ELSEWHERE,
            }
            for index in refusal.refused
        ]
    )


def held_elsewhere_error(error, state=None):
    """The 422 for ``error`` if it is, or was raised from, a refusal; else None."""
    seen = set()
    current = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, AccountHeldElsewhere):
            return refusal_error(current, (state or {}).get(ITEM_PATHS))
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return None
