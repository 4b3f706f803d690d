"""The report of numbers held by more than one active registrant: one page is two queries (the
page's numbers, then their holders and the holders' groups), whatever its length."""

from sqlalchemy.orm import Session

from g2p_bank_server.rules import mask_account_number
from g2p_bank_server.rules.shared_accounts import SharedAccount, SharedAccountsPage, every_pair_shares_a_group

from . import repository

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def shared_accounts_page(
    session: Session, *, after: int = 0, limit: int = DEFAULT_LIMIT
) -> SharedAccountsPage:
    """The shared numbers whose key is above ``after``, at most ``limit`` of them, by key."""
    # One more than asked: whether there is a next page.
    listed = repository.shared_numbers(session, after=after, limit=limit + 1)
    page = listed[:limit]
    found = repository.holders(session, numbers=[row.normalized_number for row in page], registrant_ids=())
    items = []
    for key, number in page:
        holders = sorted(found.by_number.get(number, ()))
        items.append(
            SharedAccount(
                key=key,
                acc_number=mask_account_number(number),
                registrant_ids=holders,
                share_group=every_pair_shares_a_group(
                    holders, lambda first, second: bool(found.circle(first) & found.circle(second))
                ),
            )
        )
    return SharedAccountsPage.of(items, more=len(listed) > limit)
