"""Account numbers: their identity (the normalized number), IBAN checks, and log masking."""

import re

from schwifty import IBAN
from schwifty import registry as schwifty_registry
from schwifty.exceptions import InvalidCountryCode, SchwiftyException

_NON_WORD = re.compile(r"\W+")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")
_VISIBLE_TAIL = 4


class InvalidAccountNumber(ValueError):
    """An account number that cannot be stored; the message never holds the whole number."""


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


def _is_iban_shaped(normalized: str) -> bool:
    if not _IBAN_SHAPE.fullmatch(normalized):
        return False
    try:
        schwifty_registry.get_iban_spec(normalized[:2])
    except InvalidCountryCode:
        return False
    return True


def check_account_number(number: str) -> str:
    """Return the normalized number, or raise InvalidAccountNumber saying what is wrong with it."""
    normalized = normalize_account_number(number)
    if not normalized:
        raise InvalidAccountNumber("account number has no letters or digits")
    if _is_iban_shaped(normalized):
        try:
            IBAN(normalized)
        except SchwiftyException as error:
            # schwifty's messages name the rule broken (checksum, length, format), never the number.
            raise InvalidAccountNumber(
                f"account number {mask_account_number(normalized)} is shaped like an IBAN "
                f"of {normalized[:2]} but is not a valid one: {error}"
            ) from None
    return normalized
