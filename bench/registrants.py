"""The request bodies the benchmarks send: an individual with N bank accounts.

Account numbers are valid German IBANs, printed with spaces as clients send them, so that every
account costs the server its whole validation (IBAN checksum, normalization); the banks are
three names, found by name after their first use, as most banks of a real registry are.
"""

from __future__ import annotations

import json

from schwifty import IBAN

# The numbers of accounts the benchmarks compare (the 0, 1, 5 and 20).
ACCOUNT_COUNTS = (0, 1, 5, 20)

BANK_NAMES = ("Alpha Savings Bank", "Beta Cooperative Bank", "Gamma Post Bank")


def bank_accounts(count: int, *, first: int = 0) -> list[dict]:
    return [
        {
            "bank_name": BANK_NAMES[index % len(BANK_NAMES)],
            "acc_number": IBAN.generate(
                "DE", bank_code="37040044", account_code=str(1_000_000 + index)
            ).formatted,
            "acc_holder_name": "Ana Example",
        }
        for index in range(first, first + count)
    ]


def individual(accounts: int) -> dict:
    """An individual with every key upstream's schema requires, and no ID, so that the same body
    can be sent again and again (each time a new individual)."""
    return {
        "name": "Ana Example",
        "given_name": "Ana",
        "family_name": "Example",
        "ids": [],
        "gender": None,
        "birth_place": None,
        "birthdate": "1990-04-01",
        "email": "ana@example.org",
        "bank_ids": bank_accounts(accounts),
    }


def individual_body(accounts: int) -> bytes:
    return json.dumps(individual(accounts)).encode()
