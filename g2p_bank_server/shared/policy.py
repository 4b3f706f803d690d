"""The shared-account policy applied to a request: which of its items give a registrant a
number that another active registrant holds, and whether the policy refuses them.

Every path that gives registrants accounts (single routes, a group and its members, the
sub-resource, bulk onboarding and the import command) states its registrants' items as
``Claim``s, in request order, and asks ``refusals`` once: one query for all the request's
numbers, decisions by ``rules.shared_accounts``. The registrants of one request count as
holders for each other: a number two of them take is shared as soon as both are written
(under ``block`` the later one is refused; under ``block_outside_group`` a group and its
member, or two members of it, may take it together).
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from g2p_bank_server.rules import BankDetailsRequest
from g2p_bank_server.rules.shared_accounts import (
    DEFAULT_POLICY,
    OtherHolder,
    SharedAccountPolicy,
    held_elsewhere,
    marks_shared,
    refuses,
)
from g2p_registry_server.db import session_settings

from . import repository

Location = tuple[str | int, ...]

__all__ = ["Claim", "Location", "Refusal", "check", "item_locations", "marks_shared", "policy_of", "refusals"]


def policy_of(session: Session) -> SharedAccountPolicy:
    """The policy the session's server or command runs with (G2P_SHARED_ACCOUNT_POLICY)."""
    settings = session_settings(session)
    return DEFAULT_POLICY if settings is None else SharedAccountPolicy(settings.shared_account_policy)


@dataclass(frozen=True)
class Claim:
    """A registrant of the request and the items it is to hold."""

    registrant_id: int | None
    """None for a registrant not written yet (a new individual of a bulk batch)."""
    items: Sequence[BankDetailsRequest]
    locations: Sequence[Location]
    """Where each item's number is in the request, e.g. ``("body", "bank_ids", 1, "acc_number")``."""


def item_locations(prefix: Location, count: int) -> list[Location]:
    """The locations of the numbers of a list of ``count`` items at ``prefix``."""
    return [(*prefix, index, "acc_number") for index in range(count)]


@dataclass(frozen=True)
class Refusal:
    claim: int
    """Position of the claim in the request's claims."""
    location: Location


def refusals(session: Session, claims: Sequence[Claim]) -> list[Refusal]:
    """The items the policy refuses (none under ``allow`` and ``flag``, without a query).

    Under a blocking policy the numbers are locked first (PostgreSQL), so that of two concurrent
    requests taking one new number the second sees the first one's account once it commits."""
    policy = policy_of(session)
    if policy in (SharedAccountPolicy.ALLOW, SharedAccountPolicy.FLAG):
        return []
    numbers = {item.normalized_number for claim in claims for item in claim.items}
    if not numbers:
        return []
    repository.lock_numbers(session, numbers)
    found = repository.holders(
        session,
        numbers=numbers,
        registrant_ids={claim.registrant_id for claim in claims if claim.registrant_id is not None},
    )
    refused: list[Refusal] = []
    # Holders of each number in this request so far: registrant ids, or claims of new ones.
    taken: dict[str, list[tuple[Hashable, int | None]]] = {}
    for position, claim in enumerate(claims):
        me: Hashable = claim.registrant_id if claim.registrant_id is not None else ("new", position)
        mine = found.circle(claim.registrant_id)
        claim_refused = []
        for item, location in zip(claim.items, claim.locations, strict=True):
            number = item.normalized_number
            held = found.by_number.get(number, set())
            if me in held:
                # An active account of its own: re-sending it is never refused.
                continue
            others = [
                OtherHolder(registrant_id=other, shares_group=bool(mine & found.circle(other)))
                for other in held
            ] + [
                # 0: a registrant of this request not written yet.
                OtherHolder(registrant_id=other_id or 0, shares_group=bool(mine & found.circle(other_id)))
                for other, other_id in taken.get(number, ())
                if other != me and other not in held
            ]
            if refuses(policy, others):
                claim_refused.append(Refusal(claim=position, location=location))
        if claim_refused:
            # A refused claim writes nothing: its numbers are taken by nobody.
            refused += claim_refused
            continue
        for item in claim.items:
            taken.setdefault(item.normalized_number, []).append((me, claim.registrant_id))
    return refused


def refusal_error(refused: Sequence[Refusal]) -> RequestValidationError:
    """The 422 of a request whose items the policy refuses: each located, no other registrant named."""
    error = held_elsewhere()
    return RequestValidationError(
        [
            {"type": error.type, "loc": refusal.location, "msg": error.message(), "input": None}
            for refusal in refused
        ]
    )


def check(session: Session, claims: Sequence[Claim]) -> None:
    """Refuse the request (422, nothing written) when the policy refuses any of its items."""
    refused = refusals(session, claims)
    if refused:
        raise refusal_error(refused)
