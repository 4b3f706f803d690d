"""Field types shared by the request schemas: bounded, single-line text without control
characters, and strict `YYYY-MM-DD` dates.

Every string that reaches the database goes through one of these, so that NUL bytes, lone
surrogates and over-long values are refused with a 422 naming the field instead of failing in
the database driver (PostgreSQL rejects NUL; psycopg cannot encode lone surrogates).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

_SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
# Tab and line breaks are legitimate in an address or a description; other controls are not.
_MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()./-]+")


def _checked(value: str, forbidden: re.Pattern[str]) -> str:
    if forbidden.search(value):
        raise PydanticCustomError("control_characters", "Text must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_unicode", "Text must be valid Unicode") from None
    return value


def _single_line(value: str) -> str:
    return _checked(value, _SINGLE_LINE_FORBIDDEN)


def _multi_line(value: str) -> str:
    return _checked(value, _MULTI_LINE_FORBIDDEN)


def _email(value: str) -> str:
    if value and not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email", "Invalid email address")
    return value


def _phone(value: str) -> str:
    if not _PHONE.fullmatch(value) or not any(c.isdigit() for c in value):
        raise PydanticCustomError("phone_number", "Invalid phone number: digits, spaces, + ( ) - . / only")
    return value


def parse_date(value: Any) -> date | None:
    """Dates travel as `YYYY-MM-DD`; an empty string means no date, as upstream."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_FORMAT.fullmatch(value):
        raise PydanticCustomError("date_format", "Date must be in YYYY-MM-DD format")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_value", "Date is not a valid calendar date") from None


def _not_in_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise PydanticCustomError("date_future", "Date must not be in the future")
    return value


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), AfterValidator(_single_line)
]
OptionalText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=255), AfterValidator(_single_line)
]
ReferenceName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(_single_line)
]
IdValue = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(_single_line)
]
Description = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_multi_line)]
Address = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=1024), AfterValidator(_multi_line)
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_single_line),
    AfterValidator(_email),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_phone)]
DateText = Annotated[date | None, BeforeValidator(parse_date)]
PastDateText = Annotated[date | None, BeforeValidator(parse_date), AfterValidator(_not_in_future)]
# Query parameters that name things: the same checks as body text.
QueryText = Annotated[str, StringConstraints(max_length=255), AfterValidator(_single_line)]
