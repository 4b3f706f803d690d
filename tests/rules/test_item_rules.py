"""Validation of bank-account items: every rule answers with the item's location, numbers masked."""

import pytest
from pydantic import TypeAdapter, ValidationError

from g2p_bank_server.rules import BankAccountItems, BankDetailsRequest

ITEMS = TypeAdapter(BankAccountItems)
BAD_IBAN = "DE89 3704 0044 0532 0130 01"


def item(**fields) -> dict:
    return {"bank_name": "Deutsche Bank", "acc_number": "12345678", **fields}


def errors_of(items: list[dict]) -> list[dict]:
    with pytest.raises(ValidationError) as raised:
        ITEMS.validate_python(items)
    return raised.value.errors(include_url=False)


def locations(items: list[dict]) -> list[tuple]:
    return [error["loc"] for error in errors_of(items)]


def test_valid_item_is_trimmed_and_bic_normalized() -> None:
    [parsed] = ITEMS.validate_python(
        [item(bank_name="  Deutsche Bank ", acc_number=" DE89 3704 0044 0532 0130 00 ", bic="deutdeff")]
    )
    assert parsed.bank_name == "Deutsche Bank"
    assert parsed.acc_number == "DE89 3704 0044 0532 0130 00"
    assert parsed.normalized_number == "DE89370400440532013000"
    assert parsed.bic == "DEUTDEFF"
    assert parsed.primary is None
    assert parsed.acc_holder_name is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"bank_name": ""}, "bank_name"),
        ({"bank_name": "   "}, "bank_name"),
        ({"bank_name": "B" * 256}, "bank_name"),
        ({"bank_name": "Bank\x00"}, "bank_name"),
        ({"acc_number": ""}, "acc_number"),
        ({"acc_number": "  "}, "acc_number"),
        ({"acc_number": "1" * 65}, "acc_number"),
        ({"acc_number": "-/-"}, "acc_number"),
        ({"acc_number": BAD_IBAN}, "acc_number"),
        ({"bic": "DEUT"}, "bic"),
        ({"bic": "DEUTZZFF"}, "bic"),
        ({"acc_holder_name": "H" * 256}, "acc_holder_name"),
        ({"primary": "maybe"}, "primary"),
    ],
)
def test_each_invalid_field_is_located_at_its_item(fields: dict, field: str) -> None:
    assert locations([item(acc_number="111"), item(**fields)]) == [(1, field)]


@pytest.mark.parametrize("field", ["bank_name", "acc_number"])
def test_required_fields(field: str) -> None:
    incomplete = item()
    del incomplete[field]
    assert locations([incomplete]) == [(0, field)]


def test_blank_bic_and_holder_name_mean_none() -> None:
    [parsed] = ITEMS.validate_python([item(bic=" ", acc_holder_name="")])
    assert parsed.bic is None
    assert parsed.acc_holder_name is None


def test_longest_allowed_values_pass() -> None:
    [parsed] = ITEMS.validate_python(
        [item(bank_name="B" * 255, acc_number="1" * 64, acc_holder_name="H" * 255)]
    )
    assert len(parsed.acc_number) == 64


def test_bad_iban_error_never_shows_the_number() -> None:
    [error] = errors_of([item(acc_number=BAD_IBAN)])
    assert "0532" not in str(error["input"]) + error["msg"]
    assert "DE89370400440532013001" not in error["msg"]


def test_same_normalized_number_twice_is_rejected_at_the_second_item() -> None:
    [error] = errors_of(
        [item(acc_number="de89 3704 0044 0532 0130 00"), item(acc_number="DE89370400440532013000")]
    )
    assert error["loc"] == (1, "acc_number")
    assert error["type"] == "duplicate_account_number"
    assert "0532" not in str(error["input"])


def test_two_primary_items_are_rejected_at_the_second() -> None:
    [error] = errors_of([item(acc_number="1", primary=True), item(acc_number="2", primary=True)])
    assert error["loc"] == (1, "primary")


def test_one_primary_and_explicit_false_are_fine() -> None:
    parsed = ITEMS.validate_python([item(acc_number="1", primary=True), item(acc_number="2", primary=False)])
    assert [entry.primary for entry in parsed] == [True, False]


def test_list_is_bounded() -> None:
    [error] = errors_of([item(acc_number=str(number)) for number in range(101)])
    assert error["type"] == "too_long"


def test_request_item_remembers_which_optional_fields_were_sent() -> None:
    parsed = BankDetailsRequest.model_validate(item())
    assert "acc_holder_name" not in parsed.model_fields_set
