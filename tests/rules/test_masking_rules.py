"""How much of the bank accounts an answer shows, from the caller's scopes (contract section 5)."""

import pytest

from g2p_bank_server.rules.masking import (
    AccountVisibility,
    account_visibility,
    shown_account,
    shown_accounts,
    written_accounts_visibility,
)

ACCOUNT = {"id": 7, "bank_name": "Bank", "acc_number": "DE89 3704 0044 0532 0130 00", "primary": True}


@pytest.mark.parametrize(
    ("scopes", "visibility"),
    [
        (set(), AccountVisibility.HIDDEN),
        ({"registry:read", "registry:write", "bank:write", "audit:read"}, AccountVisibility.HIDDEN),
        ({"bank:read"}, AccountVisibility.MASKED),
        ({"bank:read", "bank:reveal"}, AccountVisibility.FULL),
        ({"bank:reveal"}, AccountVisibility.FULL),  # revealing a number includes seeing it
    ],
)
def test_visibility_follows_bank_read_and_reveal(scopes: set[str], visibility: AccountVisibility) -> None:
    assert account_visibility(scopes) is visibility


def test_hidden_accounts_are_null_not_an_empty_list() -> None:
    assert shown_accounts([ACCOUNT], AccountVisibility.HIDDEN) is None
    assert shown_accounts([], AccountVisibility.HIDDEN) is None
    assert shown_accounts([], AccountVisibility.MASKED) == []
    with pytest.raises(ValueError, match="null"):
        shown_account(ACCOUNT, AccountVisibility.HIDDEN)


def test_masked_accounts_show_the_last_four_characters_only() -> None:
    (shown,) = shown_accounts([ACCOUNT], AccountVisibility.MASKED) or []
    assert shown == {**ACCOUNT, "acc_number": "\u20260 00", "masked": True}
    short = shown_account({**ACCOUNT, "acc_number": "1234"}, AccountVisibility.MASKED)
    assert short["acc_number"] == "\u2026"  # never the whole number
    assert ACCOUNT["acc_number"] == "DE89 3704 0044 0532 0130 00"  # the answer is a copy


def test_revealed_accounts_show_the_full_number() -> None:
    assert shown_account(ACCOUNT, AccountVisibility.FULL) == {**ACCOUNT, "masked": False}


def test_an_answer_to_a_write_shows_the_accounts_written_at_least_masked() -> None:
    assert written_accounts_visibility(AccountVisibility.HIDDEN) is AccountVisibility.MASKED
    assert written_accounts_visibility(AccountVisibility.MASKED) is AccountVisibility.MASKED
    assert written_accounts_visibility(AccountVisibility.FULL) is AccountVisibility.FULL
