"""An account's identity (the normalized number), the IBAN check, and masking for logs."""

import pytest

from g2p_bank_server.rules import (
    InvalidAccountNumber,
    check_account_number,
    mask_account_number,
    normalize_account_number,
)

VALID_IBAN = "DE89370400440532013000"


@pytest.mark.parametrize(
    ("number", "normalized"),
    [
        ("de89 3704-0044", "DE8937040044"),
        ("DE8937040044", "DE8937040044"),
        ("  12.345/678  ", "12345678"),
        ("acc_01", "ACC_01"),  # "_" is a word character, as in Odoo's sanitized_acc_number
        ("çà 12", "ÇÀ12"),  # Unicode letters stay
        ("--..", ""),
    ],
)
def test_normalized_number_is_odoos_sanitized_number(number: str, normalized: str) -> None:
    assert normalize_account_number(number) == normalized


def test_iban_spelled_with_spaces_and_lowercase_is_accepted_and_normalized() -> None:
    assert check_account_number("de89 3704 0044 0532 0130 00") == VALID_IBAN


def test_iban_with_wrong_checksum_is_rejected_without_showing_the_number() -> None:
    with pytest.raises(InvalidAccountNumber) as raised:
        check_account_number("DE89 3704 0044 0532 0130 01")
    message = str(raised.value)
    assert "checksum" in message.lower()
    assert "DE89370400440532013001" not in message
    assert "3704" not in message


def test_iban_of_wrong_length_is_rejected() -> None:
    with pytest.raises(InvalidAccountNumber):
        check_account_number("DE89 3704 0044 0532 0130")


@pytest.mark.parametrize(
    "number",
    [
        "1234567890",  # domestic number
        "ZZ12345678",  # two letters and two digits but no IBAN country
        "AB-12 ",  # shaped too short to be an IBAN
        "12DE89370400440532013001",  # letters not at the start
    ],
)
def test_numbers_not_shaped_like_an_iban_are_not_checksummed(number: str) -> None:
    assert check_account_number(number) == normalize_account_number(number)


def test_number_without_letters_or_digits_is_rejected() -> None:
    with pytest.raises(InvalidAccountNumber, match="no letters or digits"):
        check_account_number(" - / . ")


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (VALID_IBAN, "…3000"),
        ("12345", "…2345"),
        ("1234", "…"),
        ("", "<none>"),
        (None, "<none>"),
    ],
)
def test_mask_shows_at_most_the_last_four_characters(number: str | None, masked: str) -> None:
    assert mask_account_number(number) == masked
