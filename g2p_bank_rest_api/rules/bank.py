"""Banks: how a bank named in a request is matched to the banks the registry holds."""

import functools
from typing import Literal, NamedTuple

from schwifty import BIC
from schwifty.exceptions import SchwiftyException


def clean_bank_name(name: str) -> str:
    """The name a new bank is created with: the request's name, trimmed."""
    return name.strip()


# A registry names few banks, each in many requests and bulk items.
@functools.lru_cache(maxsize=4096)
def bank_name_key(name: str) -> str:
    """The key two bank names match on: trimmed, inner white space collapsed, case ignored."""
    return " ".join(name.split()).casefold()


class BankKey(NamedTuple):
    """What identifies the bank a request item names: its BIC when given (normalized), else its
    name's match key. Both runtimes find, create and remember banks by it."""

    kind: Literal["bic", "name"]
    value: str

    @classmethod
    def of(cls, bic: str | None, bank_name: str) -> "BankKey":
        return cls("bic", bic) if bic else cls.of_name(bank_name)

    @classmethod
    def of_name(cls, bank_name: str) -> "BankKey":
        """The key of the name alone (a bank created for a BIC is also the one its name names)."""
        return cls("name", bank_name_key(bank_name))

    @property
    def text(self) -> str:
        """One string for the key (a lock's name)."""
        return f"{self.kind}:{self.value}"


def normalize_bic(bic: str) -> str:
    """Return the BIC upper-cased and without spaces, or raise ValueError if it is not a valid BIC."""
    compact = "".join(bic.split()).upper()
    if len(compact) not in (8, 11):
        raise ValueError("BIC must have 8 or 11 characters")
    try:
        BIC(compact)
    except SchwiftyException as error:
        raise ValueError(f"invalid BIC: {error}") from None
    return compact
