"""Test data for every test package: unique values, account numbers, bank-account items, request
bodies for individuals, members, groups and updates, and the bulk tests' numbered items and files.

Every value that must not collide is new: tests share one server (and database) per module and
backend, and the conformance suite may run against a live deployment that keeps the data of earlier
runs. So names and ID values carry a per-run tag and random letters and digits (never an SQL
wildcard, so a substring search finds exactly them), and account numbers are random, never handed
out twice in one process (a bulk ``Run``'s derive from a prefix of its own). Every account number
made here is registered with
``tests.conformance.exposure``, whose end-of-session scan (conformance suite only) checks that no
server log shows one whole; outside that suite the registration is only remembered, never checked.

Bodies carry every key upstream's registry requires, so they work against it too; reference data
(ID type, gender, group and membership kinds) comes from a ``Reference``, by default the standalone
server's seeded data. Tests that read back a specific value pass it explicitly.
"""

from __future__ import annotations

import csv
import json
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from schwifty import IBAN

from tests.conformance import exposure

RUN_TAG = "".join(secrets.choice(string.ascii_lowercase) for _ in range(4))
BY_NATIONAL_ID = {"id_type": "National ID"}
"""The query parameters naming registrants by their National ID (update and bulk routes)."""

_NON_WORD = re.compile(r"\W+")
_BANK_CODE = "37040044"
_issued_accounts: set[str] = set()


@dataclass(frozen=True)
class Reference:
    """Names of reference data the deployment must already hold (defaults: the standalone server's)."""

    id_type: str = "National ID"
    group_kind: str = "Household"
    membership_kind: str = "Head"
    gender: str = "Male"


STANDALONE = Reference()


# Unique values


def token(length: int = 8) -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def unique_value(prefix: str = "ID-") -> str:
    """``prefix``, this run's tag and random letters and digits: for ID values, names, markers and logins.

    The prefix carries its own separator: ``unique_value("Bank ")`` is a name whose last word is
    unique, ``unique_value("P-")`` a passport number.
    """
    return f"{prefix}{RUN_TAG}{token()}"


# Account numbers and bank-account items


def _account_number(draw: Callable[[], str]) -> str:
    """A number from ``draw()`` never handed out before in this process, registered as sent."""
    number = draw()
    while number in _issued_accounts:
        number = draw()
    _issued_accounts.add(number)
    return exposure.sent_account_number(number)


def iban_number(account_code: str | None = None, *, spaced: bool = False) -> str:
    """A valid German IBAN of the 10-digit ``account_code``, else of a random one not used before;
    compact and upper-case, or grouped by four as people write it when ``spaced``."""

    def draw() -> str:
        code = account_code or f"{secrets.randbelow(10**10):010d}"
        return IBAN.generate("DE", bank_code=_BANK_CODE, account_code=code).compact

    compact = exposure.sent_account_number(draw()) if account_code else _account_number(draw)
    return exposure.sent_account_number(_grouped(compact)) if spaced else compact


def _grouped(number: str) -> str:
    return " ".join(number[index : index + 4] for index in range(0, len(number), 4))


def spaced_lowercase(number: str) -> str:
    """The same number as a person types it: lower case, groups of four."""
    return _grouped(number).lower()


def bad_checksum_iban() -> str:
    """A German IBAN whose check digits are wrong (another value in the valid range 02..98)."""
    compact = iban_number()
    wrong = f"{(int(compact[2:4]) + 1 - 2) % 97 + 2:02d}"
    return exposure.sent_account_number(compact[:2] + wrong + compact[4:])


def plain_number() -> str:
    """A random account number that is not shaped like an IBAN."""
    return _account_number(lambda: f"9{secrets.randbelow(10**13):013d}")


def normalized(number: str) -> str:
    """The contract's identity of an account (section 2)."""
    return _NON_WORD.sub("", number).upper()


def random_bic() -> str:
    """A well-formed BIC no bank is likely to have: four random letters, country DE, location code."""
    letters = "".join(secrets.choice(string.ascii_uppercase) for _ in range(4))
    return f"{letters}DE{secrets.choice(string.ascii_uppercase)}{secrets.choice(string.digits)}"


def bank_item(**fields: Any) -> dict[str, Any]:
    """A valid bank-account item: a new bank's name and a new IBAN unless given."""
    return {"bank_name": unique_value("Bank "), "acc_number": iban_number(), **fields}


# Registrants


def registrant_id(reference: Reference = STANDALONE, value: str | None = None) -> dict[str, Any]:
    return {"id_type": reference.id_type, "value": value or unique_value(), "status": "valid"}


def individual(
    reference: Reference = STANDALONE, *, bank_ids: list | None = None, **overrides: Any
) -> dict[str, Any]:
    """A body of POST /individual: a unique name (given and family name its first and last words),
    a new ID of the reference's type, the reference's gender; ``bank_ids`` only when given."""
    name = overrides.get("name", unique_value("Person "))
    words = name.split() if isinstance(name, str) else []
    body: dict[str, Any] = {
        "name": name,
        "given_name": words[0] if words else None,
        "family_name": words[-1] if words else None,
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
    body.update(overrides)
    return body


def member(reference: Reference = STANDALONE, *, bank_ids: list | None = None, **overrides: Any) -> dict:
    """A member of a group body: an individual without a registration date, with no membership kind
    unless given (``group`` gives its first such member the reference's kind: kinds like "Head" may
    be unique per group), and ``bank_ids`` always present (upstream requires the key; null: none)."""
    body = individual(reference, **overrides)
    if "registration_date" not in overrides:
        del body["registration_date"]
    body.setdefault("kind", [])
    body["bank_ids"] = bank_ids
    return body


def group(
    reference: Reference = STANDALONE,
    *,
    members: list | None = None,
    bank_ids: list | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A body of POST /group, of the reference's group kind, with ``members`` (none by default)."""
    members = members if members is not None else []
    if members and isinstance(members[0], dict) and members[0].get("kind") == []:
        members[0]["kind"] = [{"name": reference.membership_kind}]
    body: dict[str, Any] = {
        "name": unique_value("Household "),
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
    body.update(overrides)
    return body


def update(of: dict[str, Any] | str, **fields: Any) -> dict[str, Any]:
    """One element of PUT /update_individual, for the registrant created from body ``of`` (found by
    its first ID) or holding the ID value ``of``. Upstream requires these keys; null keeps the value."""
    body: dict[str, Any] = {
        "updateId": of if isinstance(of, str) else id_value_of(of),
        "name": None,
        "given_name": None,
        "ids": [],
        "gender": None,
        "birth_place": None,
    }
    body.update(fields)
    return body


def id_value_of(body: dict[str, Any]) -> str:
    """The value of a body's first ID (the one ``update`` finds it by)."""
    return body["ids"][0]["value"]


# Answers


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, (
        f"{response.request.method} {response.request.url}: {response.text[:800]}"
    )
    return response.json()


def numbers_of(answer: dict[str, Any]) -> list[str]:
    """Normalized numbers of the accounts a registrant answer carries, in answer order."""
    return [normalized(account["acc_number"]) for account in answer.get("bank_ids") or []]


# Bulk items and files


class Run:
    """Numbers individuals within one test, under a prefix no other test uses: individual ``n``
    carries IDs, a phone and accounts derived from ``n``, so any row read back can be checked."""

    def __init__(self) -> None:
        self.prefix = secrets.token_hex(3).upper()

    def national_id(self, n: int) -> str:
        return f"NID-{self.prefix}-{n:06d}"

    def iban(self, n: int) -> str:
        return iban_number(f"{int(self.prefix, 16) % 10_000:04d}{n:06d}")

    def other_number(self, n: int) -> str:
        return exposure.sent_account_number(f"ACC-{self.prefix}-{n:06d}")

    def item(self, n: int, *, accounts: int = 2, **fields: Any) -> dict[str, Any]:
        numbers = [self.iban(n), self.other_number(n)][:accounts]
        bank_ids = [
            {"bank_name": f"Bulk Bank {self.prefix} {index}", "acc_number": number, "primary": index == 0}
            for index, number in enumerate(numbers)
        ]
        values: dict[str, Any] = {
            "name": f"DOE, Jane {n}",
            "given_name": "Jane",
            "family_name": "Doe",
            "gender": "Female",
            "birthdate": "1990-01-02",
            "email": f"jane.{self.prefix.lower()}.{n}@example.org",
            "ids": [{"id_type": "National ID", "value": self.national_id(n)}],
            "phone_numbers": [{"phone_no": f"+254 7{n:08d}"}],
        }
        values.update(fields)
        return individual(bank_ids=values.pop("bank_ids", bank_ids or None), **values)


def write_jsonl(path: Path, items: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for item in items:
            stream.write((item if isinstance(item, str) else json.dumps(item)) + "\n")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path
