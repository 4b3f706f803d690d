"""The pages both runtimes answer, built by the shared rules from what a query read: a page read
with one row more than it holds shows whether another follows, without a second query."""

from __future__ import annotations

from datetime import UTC, datetime

from g2p_bank_server.rules.audit import BankAccountEvent, EventFeedPage, EventKind, RegistrantHistoryPage
from g2p_bank_server.rules.shared_accounts import SharedAccount, SharedAccountsPage, every_pair_shares_a_group


def _event(event_id: int) -> BankAccountEvent:
    return BankAccountEvent(
        id=event_id,
        time=datetime(2026, 1, 1, tzinfo=UTC),
        kind=EventKind.CREATED,
        actor="admin",
        method="POST",
        route="/individual",
        request_id="r",
    )


def test_a_history_page_read_with_one_more_row_points_at_its_last_event():
    newest_first = [_event(event_id) for event_id in (9, 7, 4)]
    page = RegistrantHistoryPage.of(newest_first, limit=2)
    assert [event.id for event in page.items] == [9, 7]
    assert page.next_before == 7
    last = RegistrantHistoryPage.of(newest_first, limit=3)
    assert [event.id for event in last.items] == [9, 7, 4]
    assert last.next_before is None
    assert RegistrantHistoryPage.of([], limit=3) == RegistrantHistoryPage(items=[], next_before=None)


def test_a_feed_page_carries_its_last_id_or_none_when_empty():
    assert EventFeedPage.of([_event(3), _event(5)]).last_id == 5
    assert EventFeedPage.of([]) == EventFeedPage(items=[], last_id=None)


def _shared(key: int) -> SharedAccount:
    return SharedAccount(key=key, acc_number="…1234", registrant_ids=[1, 2], share_group=False)


def test_a_shared_accounts_page_points_after_its_last_key_only_when_more_follow():
    assert SharedAccountsPage.of([_shared(3), _shared(8)], more=True).next_after == 8
    assert SharedAccountsPage.of([_shared(3), _shared(8)], more=False).next_after is None
    assert SharedAccountsPage.of([], more=False).next_after is None


def test_holders_share_a_group_only_when_every_pair_does():
    groups = {1: {"g"}, 2: {"g"}, 3: {"h"}}

    def share(first: int, second: int) -> bool:
        return bool(groups[first] & groups[second])

    assert every_pair_shares_a_group([1, 2], share)
    assert not every_pair_shares_a_group([1, 2, 3], share)
    assert every_pair_shares_a_group([3], share)
