"""The IBAN check's shortcut for valid numbers agrees with schwifty itself: every country's
IBANs, valid ones and ones with one flaw (a changed character, swapped characters, a character
more or less, check digits 00, 01 and 99), are accepted or refused exactly as schwifty decides,
with schwifty's own message."""

import random

import pytest
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from g2p_bank_server.rules import InvalidAccountNumber, check_account_number
from g2p_bank_server.rules.account_number import _iban_spec, _passes_iban_checks

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Every country with IBAN rules: two letters whose rules schwifty knows.
COUNTRIES = [
    first + second
    for first in ALPHABET[10:]
    for second in ALPHABET[10:]
    if _iban_spec(first + second + "00" + "0") is not None
]


def _flawed(iban: str, chance: random.Random) -> list[str]:
    position = chance.randrange(len(iban))
    other = chance.randrange(4, len(iban))
    changed = iban[:position] + chance.choice(ALPHABET.replace(iban[position], "")) + iban[position + 1 :]
    swapped = list(iban)
    swapped[position], swapped[other] = swapped[other], swapped[position]
    return [
        changed,
        "".join(swapped),
        iban + chance.choice(ALPHABET),
        iban[:-1],
        *(iban[:2] + digits + iban[4:] for digits in ("00", "01", "99")),
    ]


def _numbers() -> list[str]:
    chance = random.Random(20240613)  # noqa: S311 - test data, reproducible
    numbers = []
    for country in COUNTRIES:
        for _ in range(3):
            iban = str(IBAN.random(country, random=chance, use_registry=False))
            numbers += [iban, *_flawed(iban, chance)]
    return numbers


def _schwifty_says(number: str) -> str | None:
    try:
        IBAN(number)
    except SchwiftyException as error:
        return str(error)
    return None


def test_the_shortcut_has_countries_to_check() -> None:
    assert len(COUNTRIES) > 50


@pytest.mark.parametrize("number", _numbers())
def test_shortcut_and_check_agree_with_schwifty(number: str) -> None:
    spec = _iban_spec(number)
    if spec is None:
        # A flaw in the country or check digits may leave a number that is no IBAN at all.
        assert check_account_number(number) == number
        return
    verdict = _schwifty_says(number)
    if _passes_iban_checks(number, spec):
        assert verdict is None
    if verdict is None:
        assert check_account_number(number) == number
    else:
        with pytest.raises(InvalidAccountNumber) as refused:
            check_account_number(number)
        assert str(refused.value).endswith(f"but is not a valid one: {verdict}")
