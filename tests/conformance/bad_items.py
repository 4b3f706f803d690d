"""Bad bank-account items: every rule of CONTRACT section 2, as data.

Each rule makes a fresh invalid item (or a pair of items that break a list rule) and names the
field the 422 must point at. ``test_bad_input`` sends each one in every place a request carries
bank items, after valid items, and checks that nothing was written.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conformance import exposure
from tests.factories import (
    bad_checksum_iban,
    bank_item,
    iban_number,
    plain_number,
    spaced_lowercase,
    unique_value,
)

TOO_LARGE = (413, 422)  # a 1,000,000-character value also breaks the body size limit


def _digits(length: int) -> str:
    return exposure.sent_account_number("".join(secrets.choice("0123456789") for _ in range(length)))


def _without(field: str) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        item = bank_item()
        del item[field]
        return item

    return make


def _with(**fields: Callable[[], Any] | Any) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        return bank_item(**{name: value() if callable(value) else value for name, value in fields.items()})

    return make


@dataclass(frozen=True)
class ItemRule:
    """One invalid item; ``field`` is where the 422 points (None: at the item itself)."""

    name: str
    make: Callable[[], Any]
    field: str | None
    statuses: tuple[int, ...] = (422,)


ITEM_RULES: tuple[ItemRule, ...] = (
    ItemRule("bank_name-missing", _without("bank_name"), "bank_name"),
    ItemRule("bank_name-null", _with(bank_name=None), "bank_name"),
    ItemRule("bank_name-empty", _with(bank_name=""), "bank_name"),
    ItemRule("bank_name-blank", _with(bank_name=" \t  "), "bank_name"),
    ItemRule("bank_name-256-chars", _with(bank_name=lambda: "B" * 256), "bank_name"),
    ItemRule("bank_name-5000-chars", _with(bank_name=lambda: "B" * 5000), "bank_name"),
    ItemRule("bank_name-1000000-chars", _with(bank_name=lambda: "B" * 1_000_000), "bank_name", TOO_LARGE),
    ItemRule("bank_name-number", _with(bank_name=12345), "bank_name"),
    ItemRule("bank_name-object", _with(bank_name={"name": "x"}), "bank_name"),
    ItemRule("bank_name-control-character", _with(bank_name=lambda: unique_value("Bank\x07 ")), "bank_name"),
    ItemRule("acc_number-missing", _without("acc_number"), "acc_number"),
    ItemRule("acc_number-null", _with(acc_number=None), "acc_number"),
    ItemRule("acc_number-empty", _with(acc_number=""), "acc_number"),
    ItemRule("acc_number-blank", _with(acc_number="   "), "acc_number"),
    ItemRule("acc_number-punctuation-only", _with(acc_number=" - / . "), "acc_number"),
    ItemRule("acc_number-65-chars", _with(acc_number=lambda: _digits(65)), "acc_number"),
    ItemRule("acc_number-5000-chars", _with(acc_number=lambda: _digits(5000)), "acc_number"),
    ItemRule("acc_number-1000000-chars", _with(acc_number=lambda: "7" * 1_000_000), "acc_number", TOO_LARGE),
    ItemRule("acc_number-number", _with(acc_number=lambda: int(plain_number())), "acc_number"),
    ItemRule("acc_number-list", _with(acc_number=lambda: [plain_number()]), "acc_number"),
    ItemRule("acc_number-iban-bad-checksum", _with(acc_number=bad_checksum_iban), "acc_number"),
    ItemRule(
        "acc_number-iban-bad-checksum-spaced-lowercase",
        _with(acc_number=lambda: spaced_lowercase(bad_checksum_iban())),
        "acc_number",
    ),
    ItemRule(
        "acc_number-iban-wrong-length",
        _with(acc_number=lambda: exposure.sent_account_number(iban_number()[:-1])),
        "acc_number",
    ),
    ItemRule(
        "acc_number-control-character",
        _with(acc_number=lambda: exposure.sent_account_number(f"{plain_number()}\x00")),
        "acc_number",
    ),
    ItemRule("bic-3-chars", _with(bic="XYZ"), "bic"),
    ItemRule("bic-7-chars", _with(bic="DEUTDEF"), "bic"),
    ItemRule("bic-9-chars", _with(bic="DEUTDEFF5"), "bic"),
    ItemRule("bic-bad-structure", _with(bic="12345678"), "bic"),
    ItemRule("bic-unknown-country", _with(bic="DEUTZZFF"), "bic"),
    ItemRule("bic-5000-chars", _with(bic=lambda: "D" * 5000), "bic"),
    ItemRule("bic-number", _with(bic=12345678), "bic"),
    ItemRule("acc_holder_name-256-chars", _with(acc_holder_name=lambda: "H" * 256), "acc_holder_name"),
    ItemRule("acc_holder_name-5000-chars", _with(acc_holder_name=lambda: "H" * 5000), "acc_holder_name"),
    ItemRule("acc_holder_name-number", _with(acc_holder_name=42), "acc_holder_name"),
    ItemRule("primary-not-boolean", _with(primary="maybe"), "primary"),
    ItemRule("primary-number", _with(primary=2), "primary"),
    ItemRule("item-is-string", lambda: "Deutsche Bank", None),
    ItemRule("item-is-number", lambda: 42, None),
    ItemRule("item-is-list", lambda: [bank_item()], None),
)


@dataclass(frozen=True)
class ListRule:
    """Items valid one by one that break a rule across items; the last one is the offender."""

    name: str
    make: Callable[[], list[dict[str, Any]]]
    field: str


def _same_number_twice() -> list[dict[str, Any]]:
    first = bank_item(acc_number=iban_number(spaced=True))
    again = first["acc_number"].replace(" ", "").lower()
    return [first, bank_item(acc_number=exposure.sent_account_number(again))]


def _same_plain_number_twice() -> list[dict[str, Any]]:
    number = plain_number()
    spaced = exposure.sent_account_number(f"{number[:4]}-{number[4:8]} {number[8:]}")
    return [bank_item(acc_number=number), bank_item(acc_number=spaced)]


def _two_primaries() -> list[dict[str, Any]]:
    return [bank_item(primary=True), bank_item(primary=True)]


LIST_RULES: tuple[ListRule, ...] = (
    ListRule("duplicate-normalized-iban", _same_number_twice, "acc_number"),
    ListRule("duplicate-normalized-plain-number", _same_plain_number_twice, "acc_number"),
    ListRule("two-primaries", _two_primaries, "primary"),
)
