"""A bank-account item as it travels in requests (``bank_ids: [...]``) and in answers.

The class names are upstream's (``BankDetailsRequest``, ``BankDetailsResponse``) so that the
OpenAPI component names stay wire-compatible. Every rule on an item is a pydantic validator,
so both runtimes answer 422 with the item's location (``["body", "bank_ids", 1, "acc_number"]``)
before anything is written.
"""

import re
from typing import Annotated, Any

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .account_number import (
    InvalidAccountNumber,
    check_account_number,
    mask_account_number,
    normalize_account_number,
)
from .bank import BankKey, normalize_bic
from .scopes import BankVisibility

MAX_ITEMS = 100
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    return value


def _blank_as_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _account_number_rule(value: str) -> str:
    try:
        check_account_number(value)
    except InvalidAccountNumber as error:
        raise PydanticCustomError("account_number", str(error)) from None
    return value


def _masked_input(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Re-raise any error about an account number with its input masked (contract section 3)."""
    try:
        return handler(value)
    except ValidationError as error:
        masked = mask_account_number(value if isinstance(value, str) else None)
        raise ValidationError.from_exception_data(
            error.title,
            [
                InitErrorDetails(
                    type=PydanticCustomError(detail["type"], detail["msg"]),
                    loc=detail["loc"],
                    input=masked,
                )
                for detail in error.errors(include_url=False)
            ],
        ) from None


def mask_account_numbers_in(value: Any) -> Any:
    """A copy of a request fragment with every ``acc_number`` masked, for error reports.

    Errors about a whole item, a whole list or a whole registrant (a missing field, a wrong
    type, too many items) carry that input, account numbers included.
    """
    if isinstance(value, dict):
        return {
            key: mask_account_number(item)
            if key == "acc_number" and isinstance(item, str)
            else mask_account_numbers_in(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_account_numbers_in(item) for item in value]
    return value


def _masked_error_input(value: Any, loc: tuple) -> Any:
    # A bare string where an item or a list of items belongs may well be an account number.
    if isinstance(value, str) and not loc:
        return mask_account_number(value)
    return mask_account_numbers_in(value)


def masking_account_numbers(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A wrap validator: the wrapped validation's errors carry no account number in full."""
    try:
        return handler(value)
    except ValidationError as error:
        raise ValidationError.from_exception_data(
            error.title,
            [
                InitErrorDetails(
                    type=PydanticCustomError(detail["type"], detail["msg"]),
                    loc=detail["loc"],
                    input=_masked_error_input(detail["input"], detail["loc"]),
                )
                for detail in error.errors(include_url=False)
            ],
        ) from None


TrimmedName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_no_control_characters),
]
AccountNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_no_control_characters),
    AfterValidator(_account_number_rule),
    WrapValidator(_masked_input),
]
Bic = Annotated[str, AfterValidator(normalize_bic)]
HolderName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=255),
    AfterValidator(_no_control_characters),
]


class BankDetailsRequest(BaseModel):
    """One bank account of a registrant, as a client sends it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "bank_name": "Deutsche Bank",
                    "acc_number": "DE89 3704 0044 0532 0130 00",
                    "bic": "DEUTDEFF",
                    "acc_holder_name": "Jane Doe",
                    "primary": True,
                }
            ]
        }
    )

    bank_name: TrimmedName = Field(
        description="Name of the bank. Matched to a known bank ignoring case and repeated spaces."
    )
    acc_number: AccountNumber = Field(
        description=(
            "Account number. Its identity is the number without spaces or punctuation, upper-cased; "
            "IBAN-shaped numbers must be valid IBANs."
        )
    )
    bic: Annotated[Bic | None, BeforeValidator(_blank_as_none)] = Field(
        default=None, description="BIC (8 or 11 characters). When given, the bank is found by its BIC."
    )
    acc_holder_name: Annotated[HolderName | None, BeforeValidator(_blank_as_none)] = Field(
        default=None, description="Name of the account holder, when it differs from the registrant."
    )
    primary: bool | None = Field(
        default=None,
        description="true makes this the registrant's primary account: the one payments go to.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _mask_item_errors(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return masking_account_numbers(value, handler)

    @property
    def normalized_number(self) -> str:
        return normalize_account_number(self.acc_number)

    @property
    def bank_key(self) -> BankKey:
        return BankKey.of(self.bic, self.bank_name)


def _item_error(index: int, field: str, kind: str, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=(index, field), input=value)


def _check_items(items: list[BankDetailsRequest]) -> list[BankDetailsRequest]:
    """Rules that span items: one account per normalized number, at most one primary."""
    errors = []
    first_index_of: dict[str, int] = {}
    primary_index = None
    for index, item in enumerate(items):
        number = item.normalized_number
        if number in first_index_of:
            errors.append(
                _item_error(
                    index,
                    "acc_number",
                    "duplicate_account_number",
                    f"same account number as item {first_index_of[number]} once spaces and "
                    "punctuation are removed",
                    mask_account_number(number),
                )
            )
        else:
            first_index_of[number] = index
        if item.primary:
            if primary_index is not None:
                errors.append(
                    _item_error(
                        index,
                        "primary",
                        "multiple_primary_accounts",
                        f"item {primary_index} is already primary: at most one item may be primary",
                        True,
                    )
                )
            else:
                primary_index = index
    if errors:
        raise ValidationError.from_exception_data("bank_ids", errors)
    return items


BankAccountItems = Annotated[
    list[BankDetailsRequest],
    MaxLen(MAX_ITEMS),
    AfterValidator(_check_items),
    WrapValidator(masking_account_numbers),
]
"""The type of every ``bank_ids`` field in requests."""


class BankDetailsResponse(BaseModel):
    """One active bank account of a registrant, as answers carry it (primary first)."""

    id: int
    bank_name: str | None = None
    bic: str | None = None
    acc_number: str
    acc_holder_name: str | None = None
    primary: bool = False
    shared: bool = Field(
        default=False,
        description="Another active registrant holds the same number (always false under the `allow` policy)",
    )
    masked: bool = Field(
        default=False,
        description=(
            'acc_number shows only its last four characters (after "…"): the caller holds '
            "bank:read but not bank:reveal"
        ),
    )


def visible_accounts(
    accounts: list[BankDetailsResponse], visibility: BankVisibility
) -> list[BankDetailsResponse] | None:
    """The accounts as a caller with this visibility sees them: None (not visible), masked
    copies, or the accounts themselves (full numbers)."""
    if visibility is BankVisibility.HIDDEN:
        return None
    if visibility is BankVisibility.MASKED:
        return [
            account.model_copy(update={"acc_number": mask_account_number(account.acc_number), "masked": True})
            for account in accounts
        ]
    return accounts
