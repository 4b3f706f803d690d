"""Request bodies and bank-account items for the bank extension's tests, unique per call so that
tests sharing one server never collide on ID values, bank names or account numbers."""

from __future__ import annotations

import itertools
import random
import secrets
from typing import Any

from schwifty import IBAN

_sequence = itertools.count(1)
_random = random.Random()  # noqa: S311 - test data, not secrets


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}-{next(_sequence)}"


def new_iban() -> str:
    """A valid German IBAN never used before in this test run, compact and upper-case."""
    account_code = f"{next(_sequence):04d}{_random.randrange(10**6):06d}"
    return str(IBAN.generate("DE", bank_code="37040044", account_code=account_code))


def spaced_lowercase(iban: str) -> str:
    """The same IBAN as a person types it: lower case, groups of four."""
    return " ".join(iban[index : index + 4] for index in range(0, len(iban), 4)).lower()


def new_bank_name() -> str:
    return f"Bank of {secrets.token_hex(4)}"


def item(**fields: Any) -> dict[str, Any]:
    """A valid bank-account item, on a fresh bank, with a fresh number unless given."""
    return {"bank_name": new_bank_name(), "acc_number": new_iban(), **fields}


def individual(*, bank_ids: list[dict] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "ODHIAMBO, Achieng",
        "given_name": "Achieng",
        "family_name": "Odhiambo",
        "ids": [{"id_type": "National ID", "value": unique("NID")}],
        "gender": "Female",
        "birth_place": "Kisumu",
        **overrides,
    }
    if bank_ids is not None:
        body["bank_ids"] = bank_ids
    return body


def national_id(body: dict[str, Any]) -> str:
    return body["ids"][0]["value"]


def member(*, bank_ids: list[dict] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "OTIENO, Baraka",
        "given_name": "Baraka",
        "ids": [{"id_type": "National ID", "value": unique("NID")}],
        "gender": "Male",
        "kind": [{"name": "Head"}],
        **overrides,
    }
    if bank_ids is not None:
        body["bank_ids"] = bank_ids
    return body


def group(*, members: list[dict], bank_ids: list[dict] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Odhiambo household",
        "ids": [{"id_type": "National ID", "value": unique("GID")}],
        "kind": "Household",
        "is_partial_group": False,
        "members": members,
        **overrides,
    }
    if bank_ids is not None:
        body["bank_ids"] = bank_ids
    return body


def update(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An update of the individual created from ``body``, found by its National ID."""
    return {"updateId": national_id(body), **fields}


def shown(sent: dict[str, Any]) -> tuple:
    """What an answer must show of a sent item (the number as sent, trimmed)."""
    return (sent["bank_name"].strip(), sent["acc_number"].strip())


def new_bic() -> str:
    """A BIC of the right shape that no bank in this test run has."""
    letters = "".join(_random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    return f"{letters}KE{next(_sequence) % 100:02d}"
