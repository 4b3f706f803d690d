"""``bank_ids`` on the registry's registrant schemas, and so on every individual and group.

Requests take the contract's items (validated, 422 naming the item); answers carry the
registrant's active accounts, primary first. Both fields have defaults: clients that do
not know about bank accounts keep working.
"""

from datetime import date, datetime

from pydantic import Field, field_validator, model_validator

from odoo import models

from odoo.addons.g2p_registry_rest_api.schemas.registrant import (
    RegistrantInfoRequest,
    RegistrantInfoResponse,
)

from ..rules import BankAccountItems, BankDetailsResponse, BankVisibility, masking_account_numbers
from .storable_text import only_storable_text


class BankRegistrantInfoRequest(RegistrantInfoRequest, extends=RegistrantInfoRequest):
    bank_ids: BankAccountItems | None = Field(
        default=None,
        description="Bank accounts of the registrant. On update, absent or null leaves them as they "
        "are; a list is merged: a known account number updates that account, a new one adds one. "
        "A list needs scope bank:write: without it the whole request is refused (403).",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _mask_account_numbers_in_errors(cls, value, handler):
        # An error about the whole registrant (a missing field) carries the whole body.
        return masking_account_numbers(value, handler)

    @model_validator(mode="before")
    @classmethod
    def _only_storable_text(cls, value):
        return only_storable_text(value)

    @field_validator("registration_date", mode="after")
    @classmethod
    def _registration_date_is_a_date(cls, value):
        # Upstream's parser of this field (parse_dob) is shadowed in the individual schemas by
        # their birthdate parser of the same name: an impossible date reached the database (500).
        if value is None or value == "" or isinstance(value, date):
            return value or None
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise ValueError("must be an existing date in YYYY-MM-DD format") from None


def bank_account_answers(value):
    """Turn the res.partner.bank records read from a registrant into answer items, as the
    caller may see them: masked or not, None when it may not see bank accounts at all."""
    if isinstance(value, models.BaseModel):
        return value.env["g2p.bank.account.service"].answers(value)
    if isinstance(value, list) and value and isinstance(value[0], models.BaseModel):
        return value[0].env["g2p.bank.account.service"].answers(value)
    return value


class BankRegistrantInfoResponse(RegistrantInfoResponse, extends=RegistrantInfoResponse):
    bank_ids: list[BankDetailsResponse] | None = Field(
        default_factory=list,
        description="Active bank accounts of the registrant, primary (the one payments go to) first; "
        "null when the caller may not see bank details (scope bank:read), numbers masked without "
        "scope bank:reveal.",
    )

    @field_validator("bank_ids", mode="before")
    @classmethod
    def _accounts_from_records(cls, value):
        return bank_account_answers(value)

    @model_validator(mode="wrap")
    @classmethod
    def _no_accounts_for_a_caller_who_may_not_see_them(cls, value, handler):
        # The registry reads x2many fields as plain lists of records: a registrant without
        # accounts reaches the field validator as [], which no longer says who is asking.
        answer = handler(value)
        if isinstance(value, models.BaseModel):
            service = value.env["g2p.bank.account.service"]
            if service.caller_visibility() is BankVisibility.HIDDEN:
                answer.bank_ids = None
        return answer
