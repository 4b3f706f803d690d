"""Planning how request items merge into a registrant's accounts (merge and replace)."""

from pydantic import TypeAdapter

from g2p_bank_server.rules import DEFAULT_SEQUENCE, BankAccountItems, ExistingAccount, plan_accounts

ITEMS = TypeAdapter(BankAccountItems)


def items(*specs: tuple[str, bool | None]) -> list:
    return ITEMS.validate_python(
        [{"bank_name": "Bank", "acc_number": number, "primary": primary} for number, primary in specs]
    )


def account(
    id_: int, number: str, *, active: bool = True, sequence: int = DEFAULT_SEQUENCE
) -> ExistingAccount:
    return ExistingAccount(id=id_, normalized_number=number, active=active, sequence=sequence)


def test_on_a_new_registrant_every_item_creates_an_account() -> None:
    plan = plan_accounts([], items(("A1", None), ("B2", None)))
    assert [change.account_id for change in plan.changes] == [None, None]
    assert plan.archive_ids == ()


def test_known_number_updates_its_account_whatever_the_spelling() -> None:
    plan = plan_accounts([account(7, "DE89370400440532013000")], items(("de89 3704 0044 0532 0130 00", None)))
    [change] = plan.changes
    assert (change.account_id, change.reactivate, change.sequence) == (7, False, None)


def test_merge_keeps_unlisted_accounts() -> None:
    plan = plan_accounts([account(1, "A1"), account(2, "B2")], items(("C3", None)))
    assert plan.archive_ids == ()
    assert [change.account_id for change in plan.changes] == [None]


def test_replace_archives_unlisted_active_accounts_only() -> None:
    existing = [account(1, "A1"), account(2, "B2"), account(3, "C3", active=False)]
    plan = plan_accounts(existing, items(("B2", None)), replace=True)
    assert plan.archive_ids == (1,)


def test_replace_with_empty_list_archives_everything_active() -> None:
    plan = plan_accounts([account(1, "A1"), account(2, "B2", active=False)], [], replace=True)
    assert plan.archive_ids == (1,)
    assert plan.changes == ()


def test_archived_number_is_reactivated() -> None:
    [change] = plan_accounts([account(4, "A1", active=False)], items(("a-1", None))).changes
    assert (change.account_id, change.reactivate) == (4, True)


def test_primary_item_goes_before_every_other_account() -> None:
    existing = [account(1, "A1", sequence=3), account(2, "B2", sequence=10)]
    [change] = plan_accounts(existing, items(("C3", True))).changes
    assert change.sequence == 2


def test_primary_on_the_already_first_account_is_stable() -> None:
    existing = [account(1, "A1", sequence=9), account(2, "B2")]
    first = plan_accounts(existing, items(("A1", True))).changes[0].sequence
    again = [account(1, "A1", sequence=first), account(2, "B2")]
    assert plan_accounts(again, items(("A1", True))).changes[0].sequence == first


def test_archived_accounts_do_not_push_the_primary_sequence_down() -> None:
    existing = [account(1, "A1", active=False, sequence=-50), account(2, "B2")]
    [change] = plan_accounts(existing, items(("C3", True))).changes
    assert change.sequence == DEFAULT_SEQUENCE - 1


def test_non_primary_items_keep_their_sequence() -> None:
    plan = plan_accounts([account(1, "A1")], items(("A1", False), ("B2", None)))
    assert [change.sequence for change in plan.changes] == [None, None]


def test_holder_name_is_set_by_new_accounts_named_holders_and_replacing_lists() -> None:
    existing = [account(1, "A1")]
    [unnamed] = items(("A1", None))
    named = unnamed.model_copy(update={"acc_holder_name": "Ann"})
    assert plan_accounts(existing, [named]).changes[0].sets_holder_name
    assert not plan_accounts(existing, [unnamed]).changes[0].sets_holder_name
    assert plan_accounts(existing, [unnamed], replace=True).changes[0].sets_holder_name
    assert plan_accounts([], [unnamed]).changes[0].sets_holder_name


def test_what_a_change_writes_is_decided_by_the_plan():
    """`AccountChange.written`: the fields both runtimes write, and nothing else."""
    from g2p_bank_server.rules import BankDetailsRequest, ExistingAccount, plan_accounts

    held = [
        ExistingAccount(1, "DE89370400440532013000", active=True, sequence=10),
        ExistingAccount(2, "GB29NWBK60161331926819", active=False, sequence=10),
    ]
    items = [
        BankDetailsRequest(acc_number="DE89 3704 0044 0532 0130 00", bank_name="A"),
        BankDetailsRequest(acc_number="GB29 NWBK 6016 1331 9268 19", bank_name="B", acc_holder_name="Jo"),
        BankDetailsRequest(acc_number="FR1420041010050500013M02606", bank_name="C", primary=True),
    ]
    merged, reactivated, new = plan_accounts(held, items).changes
    # A held account: its bank; the holder name only when sent; never its number.
    assert merged.written(7) == {"bank_id": 7}
    assert reactivated.written(8) == {"bank_id": 8, "acc_holder_name": "Jo", "active": True}
    # A new account: everything, the primary one before the others.
    assert new.written(9) == {
        "bank_id": 9,
        "acc_holder_name": None,
        "acc_number": "FR1420041010050500013M02606",
        "sequence": 9,
        "active": True,
    }
    # A replacing list states the holder name of every item: none clears it.
    [replaced] = plan_accounts(held[:1], items[:1], replace=True).changes
    assert replaced.written(7) == {"bank_id": 7, "acc_holder_name": None}
