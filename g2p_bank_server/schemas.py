"""The registry's request and answer schemas, extended with ``bank_ids``.

Every added field has a default, so clients that know nothing of bank details keep working,
and the registry runs unchanged when this extension is not enabled. The item types themselves
(validation, masking, wire names) are the shared rules' ``BankDetailsRequest`` and
``BankDetailsResponse``.
"""

from pydantic import Field

from g2p_bank_server.rules import BankAccountItems, BankDetailsResponse
from g2p_registry_server.registrants.schemas import (
    GroupMembersInfoRequest,
    RegistrantInfoRequest,
    RegistrantInfoResponse,
)

_REQUEST_DESCRIPTION = (
    "Bank accounts of the registrant. On creation every item becomes an account. On update, "
    "absent or null leaves the accounts as they are; a list is merged: an item whose account "
    "number (without spaces or punctuation, upper-cased) the registrant holds updates that "
    "account, a new number adds one, and accounts not listed stay."
)
_ANSWER_DESCRIPTION = (
    "Active bank accounts of the registrant, primary (the one payments go to) first; null when the "
    "caller does not hold bank:read (not visible, which [] is not: [] means no account). Numbers "
    "are masked unless the caller holds bank:reveal."
)


class BankRegistrantInfoRequest(RegistrantInfoRequest, extends=RegistrantInfoRequest):
    bank_ids: BankAccountItems | None = Field(default=None, description=_REQUEST_DESCRIPTION)


class BankGroupMembersInfoRequest(GroupMembersInfoRequest, extends=GroupMembersInfoRequest):
    bank_ids: BankAccountItems | None = Field(default=None, description=_REQUEST_DESCRIPTION)


class BankRegistrantInfoResponse(RegistrantInfoResponse, extends=RegistrantInfoResponse):
    bank_ids: list[BankDetailsResponse] | None = Field(default=[], description=_ANSWER_DESCRIPTION)
