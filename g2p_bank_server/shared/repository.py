"""Every query of the shared-account policy and report.

A request's numbers are checked with one statement (``holders``), whatever the number of its
accounts: the active holders of the numbers and the groups of every registrant involved, found
through the index on ``bank_account.normalized_number``.
"""

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, and_, bindparam, exists, func, null, select, text, union_all
from sqlalchemy.orm import Session, aliased

from g2p_registry_server.registrants.models import GroupMembership, Registrant

from ..models import BankAccount


@dataclass
class Holders:
    """What the policy needs to know of a request's numbers."""

    by_number: dict[str, set[int]] = field(default_factory=dict)
    """The active registrants holding each number with an active account."""
    circles: dict[int, frozenset[int]] = field(default_factory=dict)
    """For each registrant involved (holders and the request's registrants): the groups it is an
    active member of, and itself when it is a group. Two registrants share a group exactly when
    their circles meet."""

    def circle(self, registrant_id: int | None) -> frozenset[int]:
        return self.circles.get(registrant_id, frozenset()) if registrant_id is not None else frozenset()


_ACCOUNT = BankAccount.__table__.c
_HOLDER = aliased(Registrant, name="holder")
_GROUP = aliased(Registrant, name="member_group")
# An active member: a membership of an active group.
_MEMBERSHIP_JOIN = and_(
    GroupMembership.individual_id == _HOLDER.id,
    exists().where(_GROUP.id == GroupMembership.group_id, _GROUP.active.is_(True)),
)
_HOLDERS = union_all(
    select(_ACCOUNT.normalized_number, _HOLDER.id, _HOLDER.is_group, GroupMembership.group_id)
    .join_from(BankAccount.__table__, _HOLDER, _HOLDER.id == _ACCOUNT.registrant_id)
    .outerjoin(GroupMembership, _MEMBERSHIP_JOIN)
    .where(
        _ACCOUNT.normalized_number.in_(bindparam("numbers", expanding=True)),
        _ACCOUNT.active.is_(True),
        _HOLDER.active.is_(True),
    ),
    select(null(), _HOLDER.id, _HOLDER.is_group, GroupMembership.group_id)
    .select_from(_HOLDER)
    .outerjoin(GroupMembership, _MEMBERSHIP_JOIN)
    .where(_HOLDER.id.in_(bindparam("registrant_ids", expanding=True))),
)


def holders(session: Session, *, numbers: Collection[str], registrant_ids: Collection[int]) -> Holders:
    """The active holders of ``numbers`` and the circles of every registrant involved, in one
    query (``registrant_ids``: the request's registrants, whose groups count too)."""
    found = Holders()
    if not numbers:
        return found
    parameters = {"numbers": sorted(numbers), "registrant_ids": sorted(registrant_ids)}
    circles: dict[int, set[int]] = {}
    for number, registrant_id, is_group, group_id in session.execute(_HOLDERS, parameters):
        circle = circles.setdefault(registrant_id, set())
        if is_group:
            circle.add(registrant_id)
        if group_id is not None:
            circle.add(group_id)
        if number is not None:
            found.by_number.setdefault(number, set()).add(registrant_id)
    found.circles = {registrant_id: frozenset(circle) for registrant_id, circle in circles.items()}
    return found


def number_lock_key(number: str) -> int:
    """A 64-bit advisory lock key for a normalized number (a collision only serializes more)."""
    digest = hashlib.blake2b(number.encode(), digest_size=8, person=b"g2p-shared").digest()
    return int.from_bytes(digest, "big", signed=True)


_LOCK_NUMBERS = text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) AS key")


def lock_numbers(session: Session, numbers: Collection[str]) -> None:
    """Serialize, until the transaction ends, the requests that attach one of these numbers.

    PostgreSQL: transaction-scoped advisory locks, taken in ascending key order (unnest keeps
    the array's order) so that two requests locking several numbers cannot deadlock. SQLite
    needs none: a write transaction (BEGIN IMMEDIATE) already excludes every other writer."""
    if not numbers or session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({number_lock_key(number) for number in numbers})
    session.execute(_LOCK_NUMBERS, {"keys": keys})


# --- the report ----------------------------------------------------------------------------------

_OTHER = aliased(BankAccount, name="other_account")
_OTHER_HOLDER = aliased(Registrant, name="other_holder")


def _active_holding(account_number: Any) -> Any:
    """An active account of an active registrant with the same number as ``account_number``."""
    return exists().where(
        _OTHER.normalized_number == account_number,
        _OTHER.active.is_(True),
        _OTHER_HOLDER.id == _OTHER.registrant_id,
        _OTHER_HOLDER.active.is_(True),
    )


# A number's key is its lowest active account (of an active registrant): the accounts are walked
# in id order from the page's start, each kept when it is its number's first and another
# registrant holds the number too (two probes of the number index). A page costs what it reads,
# and the whole report reads every account once, instead of grouping the table for every page.
_SHARED_CONDITIONS = (
    _ACCOUNT.active.is_(True),
    _HOLDER.active.is_(True),
    ~_active_holding(_ACCOUNT.normalized_number).where(_OTHER.id < _ACCOUNT.id),
    _active_holding(_ACCOUNT.normalized_number).where(_OTHER.registrant_id != _ACCOUNT.registrant_id),
)
_SHARED_NUMBERS = (
    select(_ACCOUNT.id.label("key"), _ACCOUNT.normalized_number)
    .join_from(BankAccount.__table__, _HOLDER, _HOLDER.id == _ACCOUNT.registrant_id)
    .where(*_SHARED_CONDITIONS, _ACCOUNT.id > bindparam("after"))
    .order_by(_ACCOUNT.id)
    .limit(bindparam("limit"))
)
_COUNT_SHARED_NUMBERS = (
    select(func.count())
    .select_from(BankAccount.__table__)
    .join(_HOLDER, _HOLDER.id == _ACCOUNT.registrant_id)
    .where(*_SHARED_CONDITIONS)
)


def shared_numbers(session: Session, *, after: int, limit: int) -> Sequence[Row]:
    """One page of the numbers held by more than one active registrant, as rows of
    (key, normalized_number), ordered by key (the lowest id of the number's active accounts)."""
    return session.execute(_SHARED_NUMBERS, {"after": after, "limit": limit}).all()


def count_shared_numbers(session: Session) -> int:
    """How many numbers the report lists (for a progress bar)."""
    return session.execute(_COUNT_SHARED_NUMBERS).scalar_one()
