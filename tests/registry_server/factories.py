"""Request bodies for the registry routes, unique per call so that tests never collide on ID
values."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

_sequence = itertools.count(1)


def unique_value(prefix: str = "NID") -> str:
    return f"{prefix}-{secrets.token_hex(3)}-{next(_sequence)}"


def individual(**overrides: Any) -> dict[str, Any]:
    """An individual as upstream's OpenAPI document describes it, every required key present."""
    body: dict[str, Any] = {
        "name": "MWANGI, Grace",
        "given_name": "Grace",
        "family_name": "Mwangi",
        "addl_name": None,
        "ids": [{"id_type": "National ID", "value": unique_value(), "expiry_date": "2030-12-31"}],
        "registration_date": "2000-01-01",
        "phone_numbers": [{"phone_no": "+254 712 345 678", "date_collected": "2000-01-01"}],
        "email": "grace@example.org",
        "address": "12 Market Street, Nakuru",
        "gender": "Female",
        "birthdate": "2000-01-01",
        "birth_place": "Nakuru",
        "is_group": False,
    }
    body.update(overrides)
    return body


def member(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "OTIENO, Paul",
        "given_name": "Paul",
        "family_name": "Otieno",
        "ids": [{"id_type": "National ID", "value": unique_value()}],
        "phone_numbers": [{"phone_no": "0712000111"}],
        "email": None,
        "address": None,
        "gender": "Male",
        "birthdate": "1985-02-03",
        "birth_place": None,
        "bank_ids": None,
        "kind": [{"name": "Head"}],
    }
    body.update(overrides)
    return body


def group(members: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Otieno household",
        "ids": [{"id_type": "Tax ID", "value": unique_value("TAX")}],
        "registration_date": "2000-01-01",
        "phone_numbers": [{"phone_no": "+254 700 111 222"}],
        "email": "household@example.org",
        "address": "Plot 7, Kisumu",
        "kind": "Household",
        "is_partial_group": False,
        "members": members
        if members is not None
        else [member(), member(name="OTIENO, Mary", gender="Female", kind=[{"name": "Spouse"}])],
    }
    body.update(overrides)
    return body
