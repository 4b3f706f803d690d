"""Account numbers: their identity (the normalized number), IBAN checks, and log masking."""

import functools
import re
from typing import Any

from schwifty import IBAN
from schwifty import registry as schwifty_registry
from schwifty.exceptions import InvalidCountryCode, SchwiftyException

_NON_WORD = re.compile(r"\W+")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")
_VISIBLE_TAIL = 4
# ISO 13616's letter values (A=10 ... Z=35), for the mod-97 check digits.
_IBAN_DIGITS = str.maketrans({chr(code): str(code - 55) for code in range(ord("A"), ord("Z") + 1)})


class InvalidAccountNumber(ValueError):
    """An account number that cannot be stored; the message never holds the whole number."""


# Remembered: an item's number is normalized when it is checked, compared with the other items'
# and merged into the registrant's accounts; a bulk batch holds a few thousand numbers.
@functools.lru_cache(maxsize=1 << 14)
def normalize_account_number(number: str) -> str:
    """The identity of an account: Odoo's ``res.partner.bank.sanitized_acc_number``.

    Odoo's unique constraint on (sanitized number, partner) is built on exactly this rule,
    so both runtimes use it verbatim: ``"de89 3704-0044"`` and ``"DE8937040044"`` are one account.
    """
    return _NON_WORD.sub("", number).upper()


def mask_account_number(number: str | None) -> str:
    """What a log line or an error message may show of an account number: its last four characters."""
    if not number:
        return "<none>"
    tail = number[-_VISIBLE_TAIL:] if len(number) > _VISIBLE_TAIL else ""
    return f"…{tail}" if tail else "…"


def _iban_spec(normalized: str) -> Any:
    """schwifty's IBAN rules of the number's country when the number is shaped like an IBAN, else None."""
    if not _IBAN_SHAPE.fullmatch(normalized):
        return None
    try:
        return schwifty_registry.get_iban_spec(normalized[:2])
    except InvalidCountryCode:
        return None


def _passes_iban_checks(normalized: str, spec: Any) -> bool:
    """schwifty's checks of an IBAN-shaped number, without building its objects: the country's
    length and BBAN format, and check digits as ISO 7064 mod 97-10 computes them (02 to 98).

    A shortcut for valid numbers only: a number that fails here is checked by schwifty itself,
    which says what is wrong; so the shortcut can only ever be stricter than schwifty, never laxer.
    """
    try:
        return (
            len(normalized) == spec.iban_length
            and spec.regex.match(normalized[4:]) is not None
            and 2 <= int(normalized[2:4]) <= 98
            and int((normalized[4:] + normalized[:4]).translate(_IBAN_DIGITS)) % 97 == 1
        )
    except (AttributeError, TypeError, ValueError):
        # Rule objects of another schwifty version: schwifty decides.
        return False


def check_account_number(number: str) -> str:
    """Return the normalized number, or raise InvalidAccountNumber saying what is wrong with it."""
    normalized = normalize_account_number(number)
    if not normalized:
        raise InvalidAccountNumber("account number has no letters or digits")
    spec = _iban_spec(normalized)
    if spec is not None and not _passes_iban_checks(normalized, spec):
        try:
            IBAN(normalized)
        except SchwiftyException as error:
            # schwifty's messages name the rule broken (checksum, length, format), never the number.
            raise InvalidAccountNumber(
                f"account number {mask_account_number(normalized)} is shaped like an IBAN "
                f"of {normalized[:2]} but is not a valid one: {error}"
            ) from None
    return normalized
