"""Unique test data: every name, ID value and account number is new, so tests can run on any database.

Names carry a per-run tag and random letters (no SQL wildcards, so substring searches find exactly
them); account numbers are random and registered with ``exposure`` so the log scan can look for
them. Bodies carry every key upstream's registry requires, so they work against it too.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

import httpx
from schwifty import IBAN

from tests.conformance import exposure
from tests.conformance.target import Reference

RUN_TAG = "".join(secrets.choice(string.ascii_lowercase) for _ in range(4))
_NON_WORD = re.compile(r"\W+")


def token(length: int = 8) -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def unique_name(prefix: str) -> str:
    return f"{prefix} {RUN_TAG}{token()}"


def id_value() -> str:
    return f"T{RUN_TAG.upper()}{secrets.randbelow(10**12):012d}"


def plain_number() -> str:
    """A random account number that is not shaped like an IBAN."""
    return exposure.sent_account_number(f"9{secrets.randbelow(10**13):013d}")


def iban_number(*, spaced: bool = True) -> str:
    """A random valid German IBAN, grouped by four as people write it when ``spaced``."""
    iban = IBAN.generate("DE", bank_code="37040044", account_code=f"{secrets.randbelow(10**10):010d}")
    return exposure.sent_account_number(iban.formatted if spaced else iban.compact)


def bad_checksum_iban() -> str:
    compact = IBAN.generate(
        "DE", bank_code="37040044", account_code=f"{secrets.randbelow(10**10):010d}"
    ).compact
    wrong = f"{(int(compact[2:4]) + 1 - 2) % 97 + 2:02d}"  # another check value in the valid range 02..98
    return exposure.sent_account_number(compact[:2] + wrong + compact[4:])


def random_bic() -> str:
    """A well-formed BIC no bank is likely to have: four random letters, country DE, location code."""
    letters = "".join(secrets.choice(string.ascii_uppercase) for _ in range(4))
    return f"{letters}DE{secrets.choice(string.ascii_uppercase)}{secrets.choice(string.digits)}"


def normalized(number: str) -> str:
    """The contract's identity of an account (section 2)."""
    return _NON_WORD.sub("", number).upper()


def bank_item(**fields: Any) -> dict[str, Any]:
    item = {"bank_name": unique_name("Bank"), "acc_number": plain_number()}
    item.update(fields)
    return item


def registrant_id(reference: Reference, value: str | None = None) -> dict[str, Any]:
    return {"id_type": reference.id_type, "value": value or id_value(), "status": "valid"}


def individual(
    reference: Reference, *, name: str | None = None, bank_ids: list | None = None, **fields: Any
) -> dict[str, Any]:
    name = name or unique_name("Person")
    body: dict[str, Any] = {
        "name": name,
        "given_name": name.split()[0],
        "family_name": name.split()[-1],
        "ids": [registrant_id(reference)],
        "gender": reference.gender,
        "birth_place": "Springfield",
        "birthdate": "1990-04-01",
        "registration_date": "2024-01-15",
        "email": f"{token()}@example.org",
        "address": "1 Main Street",
        "phone_numbers": [{"phone_no": "+4915112345678", "date_collected": "2024-01-15"}],
    }
    if bank_ids is not None:
        body["bank_ids"] = bank_ids
    body.update(fields)
    return body


def member(
    reference: Reference, *, name: str | None = None, bank_ids: list | None = None, **fields: Any
) -> dict:
    body = individual(reference, name=name, **fields)
    body.pop("registration_date")
    # Membership kinds such as "Head" may be unique per group: group() gives it to the first member.
    body["kind"] = []
    # Upstream's member schema requires the key (CONTRACT section 4); null means "no accounts".
    body["bank_ids"] = bank_ids
    return body


def group(
    reference: Reference,
    *,
    name: str | None = None,
    members: list | None = None,
    bank_ids: list | None = None,
    **fields: Any,
) -> dict[str, Any]:
    members = members if members is not None else []
    if members and isinstance(members[0], dict) and members[0].get("kind") == []:
        members[0]["kind"] = [{"name": reference.membership_kind}]
    body: dict[str, Any] = {
        "name": name or unique_name("Household"),
        "ids": [registrant_id(reference)],
        "kind": reference.group_kind,
        "is_partial_group": False,
        "registration_date": "2024-01-15",
        "email": f"{token()}@example.org",
        "address": "2 Main Street",
        "members": members,
    }
    if bank_ids is not None:
        body["bank_ids"] = bank_ids
    body.update(fields)
    return body


def update(reference: Reference, update_id: str, **fields: Any) -> dict[str, Any]:
    """One element of PUT /update_individual: upstream requires these keys (null keeps the value)."""
    body: dict[str, Any] = {
        "updateId": update_id,
        "name": None,
        "given_name": None,
        "ids": [],
        "gender": None,
        "birth_place": None,
    }
    body.update(fields)
    return body


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, (
        f"{response.request.method} {response.request.url}: {response.text[:800]}"
    )
    return response.json()


def numbers_of(answer: dict[str, Any]) -> list[str]:
    """Normalized numbers of the accounts a registrant answer carries, in answer order."""
    return [normalized(account["acc_number"]) for account in answer.get("bank_ids") or []]


def id_value_of(body: dict[str, Any]) -> str:
    return body["ids"][0]["value"]
