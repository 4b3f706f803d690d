"""The same account number on several registrants (contract section 7): the policy that decides
whether a registrant may take a number another registrant holds, and the report of such numbers.

Two registrants "share a group" when both are active members of one group, or one is a group
the other is an active member of (a household's account held by the household and a member).

Both runtimes find the other active holders of a request's numbers in one query, then ask this
module what to do with each item.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from pydantic import BaseModel, Field
from pydantic_core import PydanticCustomError

ACCOUNT_HELD_ELSEWHERE = "account_held_elsewhere"


class SharedAccountPolicy(StrEnum):
    ALLOW = "allow"
    """Upstream's behaviour: a number may be held by any number of registrants, unmarked."""
    FLAG = "flag"
    """Accepted; every item of a number held by another active registrant answers ``shared: true``."""
    BLOCK_OUTSIDE_GROUP = "block_outside_group"
    """Accepted only when every other active holder shares a group with the registrant."""
    BLOCK = "block"
    """Refused whenever another active registrant holds the number."""


DEFAULT_POLICY = SharedAccountPolicy.FLAG


@dataclass(frozen=True)
class OtherHolder:
    """An active registrant other than the one being written that holds the same number."""

    registrant_id: int
    shares_group: bool


def refuses(policy: SharedAccountPolicy, others: Collection[OtherHolder]) -> bool:
    """Whether the policy refuses giving the registrant a number these others hold."""
    if not others:
        return False
    if policy is SharedAccountPolicy.BLOCK:
        return True
    if policy is SharedAccountPolicy.BLOCK_OUTSIDE_GROUP:
        return not all(other.shares_group for other in others)
    return False


def marks_shared(policy: SharedAccountPolicy) -> bool:
    """Whether answers say ``shared`` under this policy (every policy but ``allow``)."""
    return policy is not SharedAccountPolicy.ALLOW


def held_elsewhere() -> PydanticCustomError:
    """The 422 error of a refused item: names no other registrant."""
    return PydanticCustomError(
        ACCOUNT_HELD_ELSEWHERE,
        "This account number is held by another registrant; the shared-account policy refuses it",
    )


def parse_policy(text: str | None) -> SharedAccountPolicy:
    """The policy a setting names (blank means the default); ValueError for an unknown name."""
    if text is None or not text.strip():
        return DEFAULT_POLICY
    try:
        return SharedAccountPolicy(text.strip().lower())
    except ValueError:
        names = ", ".join(policy.value for policy in SharedAccountPolicy)
        raise ValueError(f"Unknown shared-account policy {text!r}; one of: {names}") from None


class SharedAccount(BaseModel):
    """One number held by several active registrants, as the report lists it."""

    key: int = Field(description="The lowest id of the number's active accounts; pages are ordered by it")
    acc_number: str = Field(description="The number's last four characters")
    registrant_ids: list[int] = Field(description="The active holders, ascending")
    share_group: bool = Field(description="Whether every holder shares a group with every other")


class SharedAccountsPage(BaseModel):
    items: list[SharedAccount]
    next_after: int | None = Field(description="Pass it as `after` for the next page; null on the last page")

    @classmethod
    def of(cls, items: list[SharedAccount], *, more: bool) -> "SharedAccountsPage":
        """A page of the report; ``more``: numbers follow (read with one more row than the page)."""
        return cls(items=items, next_after=items[-1].key if more and items else None)


def every_pair_shares_a_group(holders: Sequence[int], share_a_group: Callable[[int, int], bool]) -> bool:
    """Whether every holder of a number shares a group with every other (the report's
    `share_group`; True for fewer than two holders)."""
    return all(share_a_group(first, second) for first, second in combinations(holders, 2))
